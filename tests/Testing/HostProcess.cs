using System.Diagnostics;
using System.Text;

namespace Accounts.Orleans.Testing;

/// <summary>
/// The Host as its own OS process (<c>dotnet Accounts.Orleans.Host.dll</c>), configured through environment variables
/// the way an operator would, so a test can kill it for real.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly string? _dataDirectory;
    private readonly string _adminKeyFile;

    private HostProcess(Process process, Uri address, int siloPort, int gatewayPort, string workingDirectory, string? dataDirectory, string adminKeyFile)
    {
        _dataDirectory = dataDirectory;
        _adminKeyFile = adminKeyFile;
        _process = process;
        Address = address;
        SiloPort = siloPort;
        GatewayPort = gatewayPort;
        WorkingDirectory = workingDirectory;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public Uri Address { get; }

    public int SiloPort { get; }

    /// <summary>Where an Orleans client connects (<see cref="ExternalClient"/>).</summary>
    public int GatewayPort { get; }

    /// <summary>The process's working directory: the embedded profile keeps its data in <c>.data</c> under it.</summary>
    public string WorkingDirectory { get; }

    public HttpClient Http { get; }

    /// <summary>The certificate a legitimate client of this Host presents: the console's when embedded, the tests' shared one on PostgreSQL.</summary>
    public Accounts.Orleans.Client.ClusterTls ClientTls
        => _dataDirectory is { } data ? TestCertificates.EmbeddedClient(data) : TestCertificates.SharedClient();

    /// <summary>The admin key the Host (or the first silo of its cluster) wrote on its first start.</summary>
    public string AdminKey => File.ReadAllText(_adminKeyFile).Trim();

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    /// <summary>
    /// Starts the Host; environment keys use the <c>__</c> form (e.g. <c>Accounts__Storage__Provider</c>). Pass the
    /// <see cref="WorkingDirectory"/> of a Host that was killed to start it again on the same embedded data.
    /// </summary>
    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, int? siloPort = null, string? workingDirectory = null)
    {
        var httpPort = FreePorts.Next();
        var silo = siloPort ?? FreePorts.Next();
        var gateway = FreePorts.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Directory.CreateTempSubdirectory("accounts-host-").FullName,
        };
        start.ArgumentList.Add(HostAssembly());
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{httpPort}";
        start.Environment["Accounts__Cluster__SiloPort"] = silo.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Accounts__Cluster__GatewayPort"] = gateway.ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        if (environment.TryGetValue("Accounts__Storage__Provider", out var provider) && provider == "Postgres")
        {
            start.Environment["Accounts__Cluster__Tls__CaFile"] = TestCertificates.Silo.CaFile;
            start.Environment["Accounts__Cluster__Tls__CertificateFile"] = TestCertificates.Silo.CertificateFile;
            start.Environment["Accounts__Cluster__Tls__KeyFile"] = TestCertificates.Silo.KeyFile;
            start.Environment["Accounts__Access__AdminKeyFile"] = TestCertificates.AdminKeyFileFor(environment["ConnectionStrings__Accounts"]);
        }
        foreach (var (key, value) in environment) start.Environment[key] = value;
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Host process.");
        var shared = environment.TryGetValue("Accounts__Storage__Provider", out var engine) && engine == "Postgres";
        var data = shared ? null : Path.GetFullPath(environment.GetValueOrDefault("Accounts__Storage__DataDirectory") ?? ".data", start.WorkingDirectory);
        return new HostProcess(process, new Uri($"http://127.0.0.1:{httpPort}"), silo, gateway, start.WorkingDirectory, data,
            data is null ? TestCertificates.AdminKeyFileFor(environment["ConnectionStrings__Accounts"]) : Path.Combine(data, Accounts.Orleans.Access.AdminKeyFile.EmbeddedFileName));
    }

    /// <summary>Waits until <c>/healthz</c> answers 200.</summary>
    public async Task WaitHealthyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The Host exited with {_process.ExitCode}: {Output}");
            try
            {
                using var response = await Http.GetAsync(new Uri("/healthz", UriKind.Relative));
                if (response.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException($"The Host was not healthy after {timeout}: {Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Ends the process at once, the way a crash or <c>kill -9</c> would: no graceful leave from the cluster.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    /// <summary>The Host build that sits beside the test build (same configuration).</summary>
    private static string HostAssembly()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "Accounts.Orleans.Host.dll");
        if (File.Exists(beside) && File.Exists(Path.ChangeExtension(beside, ".runtimeconfig.json"))) return beside;
        throw new FileNotFoundException($"Accounts.Orleans.Host.dll with its runtimeconfig was not found in {AppContext.BaseDirectory}.");
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }
}

using System.Net.Http.Json;
using Accounts.Orleans.Host.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>
/// The real Host (silo + HTTP on loopback, real storage) started in the test process with its own settings.
/// Disposing it is a graceful shutdown, like Ctrl+C.
/// </summary>
public sealed class RunningHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private RunningHost(WebApplication app, Uri address)
    {
        _app = app;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public HttpClient Http { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    /// <summary>The port an Orleans client (<see cref="ExternalClient"/>) connects to.</summary>
    public int GatewayPort => _app.Services.GetRequiredService<Accounts.Orleans.Client.ClusterSettings>().GatewayPort;

    /// <summary>Connects an Orleans client to this Host's gateway.</summary>
    public Task<ExternalClient> ConnectClientAsync() => ConnectClientAsync(ClientTls, AdminKey);

    /// <summary>Connects an Orleans client that presents <paramref name="tls"/> and <paramref name="apiKey"/> (null: none at all).</summary>
    public Task<ExternalClient> ConnectClientAsync(Accounts.Orleans.Client.ClusterTls? tls, string? apiKey, CancellationToken cancellationToken = default)
    {
        var cluster = _app.Services.GetRequiredService<Accounts.Orleans.Client.ClusterSettings>();
        return ExternalClient.ConnectAsync(cluster.GatewayPort, tls, apiKey, cluster.ClusterId, cluster.ServiceId,
            cancellationToken.CanBeCanceled ? cancellationToken : TestContext.Current.CancellationToken);
    }

    /// <summary>The admin key the Host wrote on its first start (the console's, when embedded).</summary>
    public string AdminKey => _app.Services.AdminKey();

    /// <summary>The certificate a legitimate client of this Host presents: the console's when embedded, the tests' shared one on PostgreSQL.</summary>
    public Accounts.Orleans.Client.ClusterTls ClientTls => _app.Services.ClientTls();

    /// <summary>Settings for an embedded Host whose data lives in <paramref name="dataDirectory"/>, on free ports.</summary>
    public static Dictionary<string, string?> Sqlite(string dataDirectory) => new()
    {
        ["Accounts:Storage:Provider"] = "Sqlite",
        ["Accounts:Storage:DataDirectory"] = dataDirectory,
    };

    /// <summary>Settings for a Host on the PostgreSQL profile; Hosts of one database share one key ring file.</summary>
    public static Dictionary<string, string?> Postgres(string connectionString, string clusterId = "accounts-test") => new()
    {
        ["Accounts:Storage:Provider"] = "Postgres",
        ["ConnectionStrings:Accounts"] = connectionString,
        ["Accounts:Cluster:ClusterId"] = clusterId,
        ["Accounts:Cluster:AdvertisedAddress"] = "127.0.0.1",
        ["Accounts:Vault:KeyRingFile"] = KeyRingFileFor(connectionString),
        [Accounts.Orleans.Access.AdminKeyFile.Setting] = TestCertificates.AdminKeyFileFor(connectionString),
        [Accounts.Orleans.Client.ClusterTlsFiles.CaFileKey] = TestCertificates.Silo.CaFile,
        [Accounts.Orleans.Client.ClusterTlsFiles.CertificateFileKey] = TestCertificates.Silo.CertificateFile,
        [Accounts.Orleans.Client.ClusterTlsFiles.KeyFileKey] = TestCertificates.Silo.KeyFile,
    };

    /// <summary>A key ring path private to one test database.</summary>
    public static string KeyRingFileFor(string connectionString)
        => Path.Combine(Path.GetTempPath(), $"accounts-test-keys-{new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database}.json");

    /// <exception cref="StartupException">The Host refused to start.</exception>
    public static async Task<RunningHost> StartAsync(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var app = Build(settings, configure);
        try
        {
            await AccountsHost.StartAsync(app, TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        return new RunningHost(app, new Uri(app.Urls.Single()));
    }

    /// <summary>The application as the Host would build it, not started.</summary>
    public static WebApplication Build(IDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Accounts:Cluster:SiloPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Accounts:Cluster:GatewayPort"] = FreePorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings) all[key] = value;
        return AccountsHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(all);
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            // Dozens of Hosts share the test process's console: their logs would bury the failures the run reports.
            // A test that reads logs adds its own in-memory provider.
            builder.Logging.ClearProviders();
            configure?.Invoke(builder);
        });
    }

    public async Task<T> GetJsonAsync<T>(string path)
        => (await Http.GetFromJsonAsync<T>(path, TestContext.Current.CancellationToken))!;

    /// <summary>Graceful stop; safe to call more than once (tests stop a Host, then their fixture disposes it).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        Http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}

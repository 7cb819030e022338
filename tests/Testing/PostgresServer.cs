using System.Diagnostics;
using Npgsql;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>
/// A real PostgreSQL for the tests of one assembly. Uses <c>ACCOUNTS_TEST_POSTGRES</c> (an admin connection string)
/// when it is set; otherwise starts a private, throw-away server from the machine's binaries on a free port in a temp
/// directory (as the <c>postgres</c> user when running as root, since initdb refuses root) and removes it afterwards.
/// Each test asks for its own database.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ConnectionStringVariable = "ACCOUNTS_TEST_POSTGRES";

    private string? _directory;
    private string? _binaries;
    private string? _serverOptions;

    public string AdminConnectionString { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        var given = Environment.GetEnvironmentVariable(ConnectionStringVariable);
        if (!string.IsNullOrWhiteSpace(given))
        {
            AdminConnectionString = given;
            return;
        }
        await StartOwnAsync();
    }

    /// <summary>
    /// A server of the test's own, from the machine's binaries even when <c>ACCOUNTS_TEST_POSTGRES</c> is set: for
    /// tests that stop and restart it, which a shared server must never see.
    /// </summary>
    public static async Task<PostgresServer> StartPrivateAsync()
    {
        var server = new PostgresServer();
        try
        {
            await server.StartOwnAsync();
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>Stops the private server at once, as a crash or an operator's fast shutdown would (open connections are cut).</summary>
    public Task StopAsync() => PgCtlAsync("-m", "fast", "-w", "stop");

    /// <summary>Starts the private server again on the same data and port.</summary>
    public Task StartAsync() => PgCtlAsync("-o", _serverOptions!, "-l", Path.Combine(_directory!, "server.log"), "-w", "-t", "60", "start");

    private Task PgCtlAsync(params string[] arguments)
    {
        if (_directory is null || _binaries is null) throw new InvalidOperationException("Only a private server (StartPrivateAsync) can be stopped and started.");
        return RunAsync(Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), .. arguments]);
    }

    private async Task StartOwnAsync()
    {
        _binaries = FindBinaries();
        _directory = Directory.CreateTempSubdirectory("accounts-pg-").FullName;
        var data = Path.Combine(_directory, "data");
        if (Environment.IsPrivilegedProcess) await RunAsync("chown", ["-R", "postgres:postgres", _directory], asPostgres: false);

        await RunAsync(Path.Combine(_binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"]);
        var port = FreePorts.Next();
        // Durability is pointless for a throw-away server; fsync off keeps the suite fast on small disks.
        _serverOptions = $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400";
        await StartAsync();
        AdminConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(AdminConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        return new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is null || _binaries is null) return;
        try
        {
            await PgCtlAsync("-m", "immediate", "-w", "stop");
        }
        catch (InvalidOperationException)
        {
            // Already stopped by the test.
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static string FindBinaries()
    {
        var installed = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0).FirstOrDefault()
            : null;
        return installed ?? throw new InvalidOperationException(
            $"No PostgreSQL server binaries under /usr/lib/postgresql/*/bin. Install PostgreSQL (apt-get install postgresql) or set {ConnectionStringVariable}.");
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments, bool asPostgres = true)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asPostgres && Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var a in new[] { "-u", "postgres", "--", file }.Concat(arguments)) start.ArgumentList.Add(a);
        }
        else
        {
            start.FileName = file;
            foreach (var a in arguments) start.ArgumentList.Add(a);
        }
        using var process = Process.Start(start)!;
        // pg_ctl start leaves the server holding inherited pipes; read to the end only of what pg_ctl itself writes.
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await error} {await output}");
    }
}

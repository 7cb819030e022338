using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Index.Bench;

/// <summary>A fresh, empty database for one storage profile, removed afterwards: a SQLite folder or a private PostgreSQL.</summary>
public sealed class BenchStorage : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("accounts-index-bench-").FullName;
    private PostgresServer? _postgres;

    private BenchStorage(string profile) => Profile = profile;

    public string Profile { get; }

    /// <summary>Host settings for this profile (storage, cluster id, key ring).</summary>
    public Dictionary<string, string?> Settings { get; private set; } = [];

    /// <summary>Where to look at the data by hand (sqlite3 or psql).</summary>
    public string Location { get; private set; } = "";

    public static async Task<BenchStorage> StartAsync(string profile)
    {
        var storage = new BenchStorage(profile);
        if (profile == "sqlite")
        {
            storage.Settings = RunningHost.Sqlite(storage._directory);
            storage.Location = $"sqlite3 {Path.Combine(storage._directory, "accounts.db")}";
            return storage;
        }
        // ACCOUNTS_TEST_POSTGRES names an existing server, as for the tests; otherwise a private one from the machine's binaries.
        storage._postgres = new PostgresServer();
        await storage._postgres.InitializeAsync();
        var connectionString = await storage._postgres.CreateDatabaseAsync();
        storage.Settings = RunningHost.Postgres(connectionString, clusterId: "accounts-index-bench");
        storage.Settings["Accounts:Vault:KeyRingFile"] = Path.Combine(storage._directory, "master-keys.json");
        var server = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        storage.Location = $"psql -h {server.Host} -p {server.Port} -U {server.Username} {server.Database}";
        return storage;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }
}

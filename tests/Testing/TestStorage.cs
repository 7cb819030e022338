using Accounts.Orleans.Host.Storage;
using Accounts.Orleans.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Accounts.Orleans.Testing;

/// <summary>A fresh store of either engine: a SQLite file in a temp directory or a new PostgreSQL database.</summary>
public sealed class TestStorage(TempDirectory directory, StorageOptions options, Dictionary<string, string?> hostSettings) : IDisposable
{
    public StorageOptions Options { get; } = options;

    /// <summary>Host settings that point at this store.</summary>
    public Dictionary<string, string?> HostSettings { get; } = hostSettings;

    public static async Task<TestStorage> CreateAsync(StorageEngine engine, PostgresServer? postgres)
    {
        var directory = new TempDirectory();
        var settings = engine == StorageEngine.Sqlite
            ? RunningHost.Sqlite(directory.Path)
            : RunningHost.Postgres(await (postgres ?? throw new ArgumentNullException(nameof(postgres), "A PostgreSQL store needs the test server.")).CreateDatabaseAsync());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new TestStorage(directory, StorageSettings.Read(configuration, directory.Path), settings);
    }

    public AccountsDatabase OpenDatabase() => new(Options);

    /// <summary>The migrator with the same modules the Host registers.</summary>
    public static SchemaMigrator Migrator(AccountsDatabase database)
        => new(database,
            [
                new MigrationSource(StorageModule.OrleansMigrations, typeof(StorageModule).Assembly),
                new MigrationSource("vault", typeof(Vault.VaultModule).Assembly),
                new MigrationSource("catalog", typeof(Catalog.CatalogModule).Assembly),
                new MigrationSource("connections", typeof(Connections.ConnectionsModule).Assembly),
            ],
            TimeProvider.System, NullLogger<SchemaMigrator>.Instance);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        directory.Dispose();
    }
}

using System.Data.Common;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Storage;

/// <summary>
/// A module's schema scripts, embedded in its assembly as <c>migrations/&lt;Engine&gt;/NNNN_name.sql</c>.
/// Each module numbers its own scripts; the pair (module, version) identifies a script.
/// </summary>
public sealed record MigrationSource(string Module, Assembly Assembly);

/// <summary>
/// Applies every registered module's versioned SQL scripts, once each, in order. Safe when several silos start
/// together: PostgreSQL serializes them on an advisory lock, SQLite on its write lock. A script that changed after
/// it was applied stops the Host rather than leaving two silos on different schemas.
/// </summary>
public sealed partial class SchemaMigrator(AccountsDatabase database, IEnumerable<MigrationSource> sources, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<SchemaMigrator> logger)
{
    /// <summary>Arbitrary, fixed: identifies this service's migration lock among other advisory locks.</summary>
    private const long PostgresLockKey = 0x4163_6374_4d69_67;

    public sealed record Migration(string Module, int Version, string Name, string Sql)
    {
        public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    /// <summary>All scripts for an engine: modules in registration order, versions ascending within each.</summary>
    public IReadOnlyList<Migration> Load(StorageEngine engine) => sources.SelectMany(s => Load(s, engine)).ToArray();

    private static IEnumerable<Migration> Load(MigrationSource source, StorageEngine engine)
    {
        var prefix = $"migrations/{engine}/";
        return source.Assembly.GetManifestResourceNames()
            .Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal))
            .Select(resource =>
            {
                var name = Path.GetFileNameWithoutExtension(resource.Replace('\\', '/')[prefix.Length..]);
                using var reader = new StreamReader(source.Assembly.GetManifestResourceStream(resource)!);
                var version = int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
                return new Migration(source.Module, version, name, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version);
    }

    /// <returns>How many scripts this call applied.</returns>
    public async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var engine = database.Options.Engine;
        var migrations = Load(engine);
        await using var connection = await database.OpenAsync(cancellationToken);
        if (engine == StorageEngine.Sqlite)
        {
            // WAL lets readers run beside the writer; it is a property of the file, set outside any transaction.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // On SQLite the transaction itself is the lock: Microsoft.Data.Sqlite begins it IMMEDIATE (write lock held).
        if (engine == StorageEngine.Postgres)
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresLockKey});", cancellationToken);

        await ExecuteAsync(connection, transaction, """
            CREATE TABLE IF NOT EXISTS accounts_schema_history (
                module VARCHAR(64) NOT NULL,
                version INTEGER NOT NULL,
                name VARCHAR(200) NOT NULL,
                checksum VARCHAR(64) NOT NULL,
                applied_at VARCHAR(40) NOT NULL,
                PRIMARY KEY (module, version)
            );
            """, cancellationToken);
        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken);

        var count = 0;
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue((migration.Module, migration.Version), out var checksum))
            {
                if (checksum != migration.Checksum)
                    throw new InvalidOperationException($"Schema migration {migration.Module}/{migration.Name} differs from the one applied to {database.Options.Describe()}; migrations are append-only.");
                continue;
            }
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await RecordAsync(connection, transaction, migration, time.GetUtcNow(), cancellationToken);
            LogApplied(logger, migration.Module, migration.Name, engine);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task<Dictionary<(string, int), string>> ReadAppliedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT module, version, checksum FROM accounts_schema_history;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<(string, int), string>();
        while (await reader.ReadAsync(cancellationToken))
            applied[(reader.GetString(0), Convert.ToInt32(reader.GetValue(1), CultureInfo.InvariantCulture))] = reader.GetString(2);
        return applied;
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, Migration migration, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO accounts_schema_history (module, version, name, checksum, applied_at) VALUES (@module, @version, @name, @checksum, @appliedAt);";
        command.AddParameter("module", migration.Module);
        command.AddParameter("version", migration.Version);
        command.AddParameter("name", migration.Name);
        command.AddParameter("checksum", migration.Checksum);
        command.AddParameter("appliedAt", appliedAt.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Module}/{Migration} ({Engine})")]
    private static partial void LogApplied(ILogger logger, string module, string migration, StorageEngine engine);
}

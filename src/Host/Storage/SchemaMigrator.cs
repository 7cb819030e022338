using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Host.Storage;

/// <summary>
/// Applies the versioned SQL scripts shipped in this assembly, once each, in order. Safe when several silos start
/// together: PostgreSQL serializes them on an advisory lock, SQLite on its write lock. A script that changed after
/// it was applied stops the Host rather than leaving two silos on different schemas.
/// </summary>
public sealed partial class SchemaMigrator(AccountsDatabase database, TimeProvider time, ILogger<SchemaMigrator> logger)
{
    /// <summary>Arbitrary, fixed: identifies this service's migration lock among other advisory locks.</summary>
    private const long PostgresLockKey = 0x4163_6374_4d69_67;

    public sealed record Migration(int Version, string Name, string Sql)
    {
        public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
    }

    public static IReadOnlyList<Migration> Load(StorageEngine engine)
    {
        var prefix = $"migrations/{engine}/";
        var assembly = typeof(SchemaMigrator).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.Replace('\\', '/').StartsWith(prefix, StringComparison.Ordinal))
            .Select(resource =>
            {
                var name = Path.GetFileNameWithoutExtension(resource.Replace('\\', '/')[prefix.Length..]);
                using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
                return new Migration(int.Parse(name.AsSpan(0, name.IndexOf('_', StringComparison.Ordinal)), CultureInfo.InvariantCulture), name, reader.ReadToEnd());
            })
            .OrderBy(m => m.Version)
            .ToArray();
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
            CREATE TABLE IF NOT EXISTS accounts_schema_migrations (
                version INTEGER PRIMARY KEY,
                name VARCHAR(200) NOT NULL,
                checksum VARCHAR(64) NOT NULL,
                applied_at VARCHAR(40) NOT NULL
            );
            """, cancellationToken);
        var applied = await ReadAppliedAsync(connection, transaction, cancellationToken);

        var count = 0;
        foreach (var migration in migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                if (checksum != migration.Checksum)
                    throw new InvalidOperationException($"Schema migration {migration.Name} differs from the one applied to {database.Options.Describe()}; migrations are append-only.");
                continue;
            }
            await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
            await RecordAsync(connection, transaction, migration, time.GetUtcNow(), cancellationToken);
            LogApplied(logger, migration.Name, engine);
            count++;
        }
        await transaction.CommitAsync(cancellationToken);
        return count;
    }

    private static async Task<Dictionary<int, string>> ReadAppliedAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT version, checksum FROM accounts_schema_migrations;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var applied = new Dictionary<int, string>();
        while (await reader.ReadAsync(cancellationToken)) applied[Convert.ToInt32(reader.GetValue(0), CultureInfo.InvariantCulture)] = reader.GetString(1);
        return applied;
    }

    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, Migration migration, DateTimeOffset appliedAt, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "INSERT INTO accounts_schema_migrations (version, name, checksum, applied_at) VALUES (@version, @name, @checksum, @appliedAt);";
        AddParameter(command, "version", migration.Version);
        AddParameter(command, "name", migration.Name);
        AddParameter(command, "checksum", migration.Checksum);
        AddParameter(command, "appliedAt", appliedAt.ToString("O", CultureInfo.InvariantCulture));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema migration {Migration} ({Engine})")]
    private static partial void LogApplied(ILogger logger, string migration, StorageEngine engine);
}

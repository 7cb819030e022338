using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Storage;

/// <summary>Connections to the service's own database (migrations, health, later the index and audit tables).</summary>
public sealed class AccountsDatabase(StorageOptions options) : IAsyncDisposable
{
    // Plain connections over the same connection string as Orleans' providers, so that they all draw on one pool per
    // silo, bounded by its Maximum Pool Size (an NpgsqlDataSource would keep a second pool of its own).
    private readonly DbDataSource _dataSource = options.Engine == StorageEngine.Postgres
        ? new ConnectionStringDataSource(options.ConnectionString, static cs => new NpgsqlConnection(cs))
        : new ConnectionStringDataSource(options.ConnectionString, static cs => new SqliteConnection(cs));

    public StorageOptions Options { get; } = options;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        => await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    private sealed class ConnectionStringDataSource(string connectionString, Func<string, DbConnection> create) : DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override DbConnection CreateDbConnection() => create(connectionString);
    }
}

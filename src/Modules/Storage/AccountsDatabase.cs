using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Storage;

/// <summary>Connections to the service's own database (migrations, health, later the index and audit tables).</summary>
public sealed class AccountsDatabase(StorageOptions options) : IAsyncDisposable
{
    private readonly DbDataSource _dataSource = options.Engine == StorageEngine.Postgres
        ? NpgsqlDataSource.Create(options.ConnectionString)
        : new SqliteDataSource(options.ConnectionString);

    public StorageOptions Options { get; } = options;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
        => await _dataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>Microsoft.Data.Sqlite has no DbDataSource of its own.</summary>
    private sealed class SqliteDataSource(string connectionString) : DbDataSource
    {
        public override string ConnectionString => connectionString;

        protected override DbConnection CreateDbConnection() => new SqliteConnection(connectionString);
    }
}

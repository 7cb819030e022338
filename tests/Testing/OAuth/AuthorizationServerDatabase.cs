using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>OpenIddict's applications, authorizations and tokens; the entity sets come from <c>UseOpenIddict()</c>.</summary>
internal sealed class AuthorizationServerDbContext(DbContextOptions<AuthorizationServerDbContext> options) : DbContext(options);

/// <summary>
/// A private in-memory SQLite database for one server. Each DbContext opens its own connection to the shared-cache
/// database (one connection shared across threads is not safe); the keeper connection holds the data alive until disposal.
/// </summary>
internal sealed class AuthorizationServerDatabase : IDisposable
{
    private readonly SqliteConnection _keeper;

    public AuthorizationServerDatabase()
    {
        ConnectionString = new SqliteConnectionStringBuilder
        {
            DataSource = "oauth-" + Guid.NewGuid().ToString("N"),
            Mode = SqliteOpenMode.Memory,
            Cache = SqliteCacheMode.Shared,
            // A pooled connection would keep the in-memory database alive after disposal.
            Pooling = false,
        }.ToString();
        _keeper = new SqliteConnection(ConnectionString);
        _keeper.Open();
    }

    public string ConnectionString { get; }

    public void Dispose() => _keeper.Dispose();
}

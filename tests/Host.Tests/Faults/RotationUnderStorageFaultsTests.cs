using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Host.Tests.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Data.Sqlite;

namespace Accounts.Orleans.Host.Tests.Faults;

/// <summary>
/// An app whose refresh tokens rotate and are good once (a reuse revokes the chain) answers a refresh while storage
/// fails: the rotated tokens are the only valid ones, so they must be served, kept and stored, never thrown away.
/// </summary>
public sealed class RotationUnderStorageFaultsTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Tokens_rotated_while_sqlite_is_locked_are_served_from_memory_and_stored_once_the_lock_goes()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var app = new RotatingRefreshTokens();
        var id = await RotatingAccount.ConnectAsync(host, app);
        var first = app.NewestRefreshToken!;
        app.AnswerDelay = TimeSpan.FromSeconds(1);

        var refresh = host.Account(id).RefreshAsync("ops");
        await Eventually.TrueAsync(() => app.Refreshes == 1, Patience, "the refresh to reach the app");
        var rotated = app.NewestRefreshToken!;
        await using (await SqliteWriteLock.TakeAsync(host.Storage))
        {
            await refresh;
            var during = await host.Account(id).GetCredentialsAsync(RotatingAccount.Read);
            await host.Account(id).RefreshAsync("ops");

            Assert.Equal(app.NewestAccessToken, during.AccessToken);
            Assert.Equal(1, app.Refreshes);
            Assert.NotEqual(rotated, (await RotatingAccount.StoredAsync(host.Host, id)).RefreshToken);
        }
        await StoredAndUsedNextAsync(host, app, id, first, rotated);
    }

    [Fact]
    public async Task Tokens_rotated_while_postgres_restarts_are_kept_and_a_client_gets_typed_errors_meanwhile()
    {
        await using var server = await PostgresServer.StartPrivateAsync();
        await using var host = await TestHost.On(StorageEngine.Postgres, server).WithFakeTokenEndpoint().StartAsync();
        var app = new RotatingRefreshTokens();
        var id = await RotatingAccount.ConnectAsync(host, app);
        var first = app.NewestRefreshToken!;
        string rotated;
        await using (var client = await host.Host.ConnectClientAsync())
        {
            var account = client.Grains.GetGrain<IConnectedAccountGrain>(id);
            app.AnswerDelay = TimeSpan.FromSeconds(1);
            var refresh = account.RefreshAsync("ops");
            await Eventually.TrueAsync(() => app.Refreshes == 1, Patience, "the refresh to reach the app");
            rotated = app.NewestRefreshToken!;

            await server.StopAsync();
            await refresh;
            var during = await account.GetCredentialsAsync(RotatingAccount.Read);
            await account.RefreshAsync("ops");
            var coldRead = await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IConnectedAccountGrain>(AccountIds.New(TimeProvider.System)).GetAsync());
            var listing = await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery()));
            await server.StartAsync();

            Assert.Equal(app.NewestAccessToken, during.AccessToken);
            Assert.Equal(1, app.Refreshes);
            Assert.Null(coldRead.InnerException);
            Assert.DoesNotContain("Host=", coldRead.Message + listing.Message, StringComparison.OrdinalIgnoreCase);
        }
        await StoredAndUsedNextAsync(host, app, id, first, rotated);
    }

    /// <summary>
    /// Once storage is back the held tokens are stored; a Host started afresh on that store presents the rotated refresh
    /// token next, so no token ever reached the app twice.
    /// </summary>
    private static async Task StoredAndUsedNextAsync(TestHost host, RotatingRefreshTokens app, string id, string first, string rotated)
    {
        await Eventually.TrueAsync(() => RotatingAccount.StoresAsync(host.Host, id, rotated), Patience, "the rotated tokens to be stored");

        await host.RestartAsync();
        app.AnswerDelay = TimeSpan.Zero;
        await host.Account(id).RefreshAsync("ops");
        var after = await host.Account(id).GetCredentialsAsync(RotatingAccount.Read);

        Assert.Equal([first, rotated], app.Presented);
        Assert.Empty(app.PresentedTwice);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
        Assert.True(app.IsCurrentAccessToken(after.AccessToken!));
    }

    [Fact]
    public async Task No_refresh_starts_while_storage_cannot_record_it_and_the_valid_token_is_served_meanwhile()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var app = new RotatingRefreshTokens();
        var id = await RotatingAccount.ConnectAsync(host, app);
        var current = app.NewestAccessToken;

        await using (await SqliteWriteLock.TakeAsync(host.Storage))
        {
            await Assert.ThrowsAsync<StorageUnavailableException>(() => host.Account(id).RefreshAsync("ops"));
            Assert.Equal(current, (await host.Account(id).GetCredentialsAsync(RotatingAccount.Read)).AccessToken);
        }

        Assert.Equal(0, app.Refreshes);
        await host.Account(id).RefreshAsync("ops");
        Assert.Equal(1, app.Refreshes);
    }

    /// <summary>Another connection holding SQLite's write lock, as a backup tool or a second process might.</summary>
    private sealed class SqliteWriteLock : IAsyncDisposable
    {
        private readonly SqliteConnection _connection;

        private SqliteWriteLock(SqliteConnection connection) => _connection = connection;

        public static async Task<SqliteWriteLock> TakeAsync(StorageOptions storage)
        {
            var connection = new SqliteConnection(new SqliteConnectionStringBuilder(storage.ConnectionString) { Pooling = false }.ToString());
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var begin = connection.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            await begin.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
            return new SqliteWriteLock(connection);
        }

        public async ValueTask DisposeAsync()
        {
            await using (var rollback = _connection.CreateCommand())
            {
                rollback.CommandText = "ROLLBACK;";
                await rollback.ExecuteNonQueryAsync(CancellationToken.None);
            }
            await _connection.DisposeAsync();
        }
    }
}

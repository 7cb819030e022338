using Accounts.Orleans.Connections;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Npgsql;

namespace Accounts.Orleans.Host.Tests.Storage;

/// <summary>The PostgreSQL trigram index behind text search is an optimisation: the Host starts and searches without it.</summary>
public sealed class AccountIndexSchemaTests(PostgresServer postgres)
{
    private const string TrigramIndex = "ix_accounts_account_index_nickname_trgm";

    [Fact]
    public async Task On_Postgres_text_search_gets_a_trigram_index_when_the_server_has_pg_trgm()
    {
        using var storage = await TestStorage.CreateAsync(StorageEngine.Postgres, postgres);
        await using var database = storage.OpenDatabase();

        await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, await SchemaMigrationTests.CountAsync(database, $"SELECT COUNT(*) FROM pg_indexes WHERE indexname = '{TrigramIndex}'"));
        Assert.Equal("Billing EU", Assert.Single(await SearchAsync(database, "ling e")).Nickname);
    }

    [Fact]
    public async Task On_Postgres_a_role_that_may_not_create_pg_trgm_still_migrates_and_searches()
    {
        using var storage = await TestStorage.CreateAsync(StorageEngine.Postgres, postgres);
        var admin = new NpgsqlConnectionStringBuilder(storage.Options.ConnectionString);
        var role = "r_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            // It may create tables (as the Host must) but not extensions, which need CREATE on the database.
            await using var command = new NpgsqlCommand($"CREATE ROLE {role} LOGIN PASSWORD '{role}'; GRANT CREATE ON SCHEMA public TO {role};", connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        var limited = new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Username = role, Password = role }.ConnectionString;
        await using var database = new AccountsDatabase(storage.Options with { ConnectionString = limited });

        var applied = await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(TestStorage.Migrator(null!).Load(StorageEngine.Postgres).Count, applied);
        Assert.Equal(0, await SchemaMigrationTests.CountAsync(database, $"SELECT COUNT(*) FROM pg_indexes WHERE indexname = '{TrigramIndex}'"));
        Assert.Equal("Billing EU", Assert.Single(await SearchAsync(database, "ling e")).Nickname);
    }

    private static async Task<IReadOnlyList<AccountSummary>> SearchAsync(AccountsDatabase database, string text)
    {
        var index = new AccountIndex(database, TimeProvider.System);
        foreach (var nickname in new[] { "Billing EU", "Billing US", "Marketing" })
        {
            var now = TimeProvider.System.GetUtcNow();
            await index.UpsertAsync(new AccountSummary
            {
                Id = AccountIds.New(TimeProvider.System), WorkspaceId = "ws_acme", AppSlug = "sendgrid", Nickname = nickname,
                AuthType = AuthType.Keys, Health = AccountHealth.Healthy, CreatedAt = now, UpdatedAt = now,
            }, deleted: false, TestContext.Current.CancellationToken);
        }
        return (await index.ListAsync(new AccountQuery { Text = text }, TestContext.Current.CancellationToken)).Items;
    }
}

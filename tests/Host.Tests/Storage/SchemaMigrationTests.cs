using System.Data.Common;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Storage;

public sealed class SchemaMigrationTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task Migrations_apply_once_and_a_second_run_changes_nothing(StorageEngine engine)
    {
        using var storage = await TestStorage.CreateAsync(engine, postgres);
        await using var database = storage.OpenDatabase();
        var expected = TestStorage.Migrator(null!).Load(engine).Count;

        var first = await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        var second = await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);

        Assert.True(expected > 0);
        Assert.Equal(expected, first);
        Assert.Equal(0, second);
        Assert.Equal(expected, await CountAsync(database, "SELECT COUNT(*) FROM accounts_schema_history"));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Migrations_started_by_two_silos_at_once_apply_each_script_exactly_once(StorageEngine engine)
    {
        using var storage = await TestStorage.CreateAsync(engine, postgres);
        await using var first = storage.OpenDatabase();
        await using var second = storage.OpenDatabase();

        var applied = await Task.WhenAll(
            Task.Run(() => TestStorage.Migrator(first).MigrateAsync(TestContext.Current.CancellationToken)),
            Task.Run(() => TestStorage.Migrator(second).MigrateAsync(TestContext.Current.CancellationToken)));

        var expected = TestStorage.Migrator(null!).Load(engine).Count;
        Assert.Equal(expected, applied.Sum());
        Assert.Equal(expected, await CountAsync(first, "SELECT COUNT(*) FROM accounts_schema_history"));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Migrations_register_every_query_the_Orleans_providers_need(StorageEngine engine)
    {
        using var storage = await TestStorage.CreateAsync(engine, postgres);
        await using var database = storage.OpenDatabase();
        await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);

        string[] storageKeys = ["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey"];
        string[] clusteringKeys =
        [
            "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "MembershipReadRowKey",
            "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey", "CleanupDefunctSiloEntriesKey",
        ];
        var required = engine == StorageEngine.Postgres ? storageKeys.Concat(clusteringKeys) : storageKeys;
        foreach (var key in required)
            Assert.Equal(1, await CountAsync(database, $"SELECT COUNT(*) FROM OrleansQuery WHERE QueryKey = '{key}'"));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task A_script_changed_after_it_was_applied_stops_the_migration(StorageEngine engine)
    {
        using var storage = await TestStorage.CreateAsync(engine, postgres);
        await using var database = storage.OpenDatabase();
        await TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken);
        await ExecuteAsync(database, "UPDATE accounts_schema_history SET checksum = 'tampered' WHERE module = 'orleans' AND version = 1");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(
            () => TestStorage.Migrator(database).MigrateAsync(TestContext.Current.CancellationToken));
        Assert.Contains("append-only", error.Message, StringComparison.Ordinal);
    }

    internal static async Task<long> CountAsync(AccountsDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(TestContext.Current.CancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static async Task ExecuteAsync(AccountsDatabase database, string sql)
    {
        await using DbConnection connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

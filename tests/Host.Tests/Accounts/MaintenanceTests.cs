using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Tests.Storage;
using Accounts.Orleans.Vault;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Host.Tests.Accounts;

public sealed class MaintenanceTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private static readonly WorkflowStep Step = new("wf", "s");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    [Fact]
    public async Task Rotate_then_rewrap_lets_the_old_master_key_be_retired_with_every_credential_still_readable_even_with_the_index_lost()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var account = await host.ConnectWithKeyAsync($"Account {i}");
            await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
            ids.Add(account.Id);
        }
        await host.StopHostAsync();
        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);
        var oldKey = KeyRingFile.Read(ringFile).Active.Id;

        Assert.Equal(0, VaultCommands.Run(["vault", "rotate", "--file", ringFile], TextWriter.Null, TextWriter.Null));
        await host.StartHostAsync();
        // The index is derived: a rewrap guided by it would leave these sealed under the key about to be retired.
        await using (var database = new AccountsDatabase(host.Storage))
            await SchemaMigrationTests.ExecuteAsync(database, "DELETE FROM accounts_account_index");
        var report = await host.Host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync("ops");
        var again = await host.Host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync("ops");
        await host.StopHostAsync();
        var rotated = KeyRingFile.Read(ringFile);
        KeyRingFile.Write(ringFile, new KeyRing([rotated.Active], rotated.Active.Id));
        await host.StartHostAsync();

        Assert.NotEqual(oldKey, rotated.Active.Id);
        Assert.Equal((3, 0), (report.Done, report.Failed.Count));
        Assert.Equal((0, 3), (again.Done, again.Skipped));
        foreach (var id in ids)
            Assert.Equal(TestHost.Key, (await host.Account(id).GetCredentialsAsync(Read)).Fields["api_key"]);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task The_index_is_rebuilt_from_stored_accounts_without_activating_them(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().StartAsync();
        var kept = await host.ConnectWithKeyAsync("Kept");
        await host.Account(kept.Id).LinkAsync(TestHost.Workspace, Step);
        var deleted = await host.ConnectWithKeyAsync("Deleted");
        await host.Account(deleted.Id).DeleteAsync(force: false, "ops");
        await host.RestartAsync();
        await using (var database = new AccountsDatabase(host.Storage))
        {
            await SchemaMigrationTests.ExecuteAsync(database, "DELETE FROM accounts_account_index");
            await SchemaMigrationTests.ExecuteAsync(database, "DELETE FROM accounts_account_links");
        }
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery())).Items);

        var report = await host.Host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RebuildIndexAsync("ops");
        var live = await host.Directory.ListAsync(new AccountQuery());
        var linked = await host.Directory.ListAsync(new AccountQuery { WorkflowId = Step.WorkflowId });
        var all = await host.Directory.ListAsync(new AccountQuery { IncludeDeleted = true });

        Assert.Equal(2, report.Done);
        Assert.Equal(kept.Id, Assert.Single(live.Items).Id);
        Assert.Equal(kept.Id, Assert.Single(linked.Items).Id);
        Assert.Equal(2, all.Items.Count);
        Assert.Equal("••••0123", live.Items[0].Fields["api_key"]);
    }
}

using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Access;

/// <summary>
/// A key of one workspace against another workspace's account, on every method, through a real client: each attempt is
/// a typed error, the account is untouched, another workspace's account reads exactly like an id nobody has, and the
/// attempt is in that account's audit under the key's name.
/// </summary>
public sealed class WorkspaceScopeTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private const string Mine = "ws_mine";
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Theory, MemberData(nameof(Engines))]
    public async Task A_key_of_one_workspace_cannot_see_or_touch_another_workspaces_account(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().WithFakeTokenEndpoint().StartAsync();
        var theirs = await host.ConnectWithKeyAsync("Theirs");
        await host.Account(theirs.Id).LinkAsync(TestHost.Workspace, Step);
        var own = await host.ConnectWithKeyAsync("Own", workspace: Mine);
        var key = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
        {
            Name = "mine-engine", WorkspaceId = Mine, Scopes = [Scopes.AccountsRead, Scopes.AccountsWrite, Scopes.CredentialsRead],
        })).Key;
        await using var client = await host.ConnectClientAsync(key);
        var grains = client.Grains;
        var account = grains.GetGrain<IConnectedAccountGrain>(theirs.Id);
        var connector = grains.GetGrain<IAccountConnectorGrain>(0);
        var directory = grains.GetGrain<IAccountDirectoryGrain>(0);
        var fields = new Dictionary<string, string> { ["api_key"] = TestHost.Key, ["region"] = "eu" };
        var before = await host.Account(theirs.Id).GetAsync();

        var attempts = new (string Method, Func<Task> Call)[]
        {
            ("get", () => account.GetAsync()),
            ("credentials, their workspace", () => account.GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId))),
            ("credentials, my workspace", () => account.GetCredentialsAsync(new CredentialRequest(Mine, Step.WorkflowId, Step.StepId))),
            ("link, their workspace", () => account.LinkAsync(TestHost.Workspace, new WorkflowStep("wf_steal", "take"))),
            ("link, my workspace", () => account.LinkAsync(Mine, new WorkflowStep("wf_steal", "take"))),
            ("unlink", () => account.UnlinkAsync(TestHost.Workspace, Step)),
            ("rename", () => account.RenameAsync("Mine now", "forged@example.com")),
            ("refresh", () => account.RefreshAsync("forged@example.com")),
            ("delete", () => account.DeleteAsync(force: true, "forged@example.com")),
            ("delete, unforced", () => account.DeleteAsync(force: false, "forged@example.com")),
            ("audit", () => directory.GetAuditAsync(theirs.Id, 10)),
            ("reconnect with keys", () => connector.ReconnectWithKeysAsync(new KeyReconnectRequest { AccountId = theirs.Id, WorkspaceId = TestHost.Workspace, Fields = fields, Actor = "forged" })),
            ("reconnect with keys, my workspace", () => connector.ReconnectWithKeysAsync(new KeyReconnectRequest { AccountId = theirs.Id, WorkspaceId = Mine, Fields = fields, Actor = "forged" })),
            ("reconnect with OAuth", () => connector.StartOAuthAsync(new OAuthStartRequest { WorkspaceId = Mine, AppSlug = TestHost.OAuthSlug, Nickname = "x", Actor = "forged", ReconnectAccountId = theirs.Id })),
        };
        // A principal the client writes into the request context itself is replaced by the one the silo verified.
        RequestContext.Set(Principal.ContextKey, Principal.System("forged"));
        var errors = new List<(string Method, Exception? Error)>();
        foreach (var (method, call) in attempts) errors.Add((method, await Record.ExceptionAsync(call)));
        var unknownId = "acct_01JZZZZZZZZZZZZZZZZZZZZZZZ";
        var unknown = await Assert.ThrowsAsync<AccountNotFoundException>(() => grains.GetGrain<IConnectedAccountGrain>(unknownId).GetAsync());
        var connectThere = await Assert.ThrowsAsync<PermissionDeniedException>(() => connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = LoopbackKeyApp.Slug, Nickname = "Planted", Fields = fields, Actor = "forged",
        }));
        var startThere = await Assert.ThrowsAsync<PermissionDeniedException>(() => connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = LoopbackKeyApp.Slug, Nickname = "Planted", Actor = "forged",
        }));
        var listedThere = await directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
        var listedAll = await directory.ListAsync(new AccountQuery());
        var ownRead = await grains.GetGrain<IConnectedAccountGrain>(own.Id).GetAsync();
        await grains.GetGrain<IConnectedAccountGrain>(own.Id).RenameAsync("Own, renamed", "forged@example.com");
        RequestContext.Clear();

        Assert.All(errors, e => Assert.True(e.Error is AccountNotFoundException notFound && notFound.Message == unknown.Message.Replace(unknownId, theirs.Id, StringComparison.Ordinal),
            $"{e.Method}: {e.Error?.GetType().Name}: {e.Error?.Message}"));
        Assert.Equal(("workspace:" + TestHost.Workspace, "workspace:" + TestHost.Workspace), (connectThere.Needed, startThere.Needed));
        Assert.Empty(listedThere.Items);
        Assert.Equal([own.Id], listedAll.Items.Select(a => a.Id));
        Assert.Equal(Mine, ownRead.WorkspaceId);
        var after = await host.Account(theirs.Id).GetAsync();
        Assert.Equal((before.Nickname, before.Health, before.LinkedSteps.Count), (after.Nickname, after.Health, after.LinkedSteps.Count));
        Assert.Equal(2, (await host.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery())).Items.Count);
        await host.FlushAuditAsync();
        var audit = await host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(theirs.Id, 100);
        Assert.True(audit.Count(e => e.Action == "access_refused" && e.Actor == "mine-engine") >= attempts.Length - 1,
            string.Join("\n", audit.Select(e => $"{e.Action} {e.Actor}")));
        var ownAudit = await host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(own.Id, 100);
        Assert.Contains(ownAudit, e => e.Action == "renamed" && e.Actor == "mine-engine");
        Assert.DoesNotContain(ownAudit.Concat(audit), e => e.Actor.Contains("forged", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_a_two_silo_postgres_cluster_a_workspace_key_is_confined_whichever_silo_it_enters_and_the_account_lives_on()
    {
        await using var host = await TestHost.On(StorageEngine.Postgres, postgres).WithKeyApp().StartAsync();
        await using var second = await RunningHost.StartAsync(host.Settings);
        var theirs = await host.ConnectWithKeyAsync("Theirs");
        await host.Account(theirs.Id).LinkAsync(TestHost.Workspace, Step);
        var own = await host.ConnectWithKeyAsync("Own", workspace: Mine);
        var key = (await second.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
        {
            Name = "mine-engine", WorkspaceId = Mine, Scopes = [Scopes.AccountsRead, Scopes.AccountsWrite, Scopes.CredentialsRead],
        })).Key;
        var read = new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId);

        foreach (var silo in new[] { host.Host, second })
        {
            await using var client = await silo.ConnectClientAsync(silo.ClientTls, key, TestContext.Current.CancellationToken);
            var account = client.Grains.GetGrain<IConnectedAccountGrain>(theirs.Id);
            await Assert.ThrowsAsync<AccountNotFoundException>(() => account.GetAsync());
            await Assert.ThrowsAsync<AccountNotFoundException>(() => account.GetCredentialsAsync(read));
            await Assert.ThrowsAsync<AccountNotFoundException>(() => account.RenameAsync("Mine now", "forged"));
            await Assert.ThrowsAsync<AccountNotFoundException>(() => account.DeleteAsync(force: true, "forged"));
            Assert.Equal([own.Id], (await client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery())).Items.Select(a => a.Id));
            Assert.Equal(Mine, (await client.Grains.GetGrain<IConnectedAccountGrain>(own.Id).GetAsync()).WorkspaceId);
        }

        var after = await host.Account(theirs.Id).GetAsync();
        Assert.Equal(("Theirs", 1), (after.Nickname, after.LinkedSteps.Count));
        await host.FlushAuditAsync();
        await second.Services.GetRequiredService<Connections.Audit.AuditTrail>().FlushAsync(TestContext.Current.CancellationToken);
        var audit = await host.Directory.GetAuditAsync(theirs.Id, 100);
        Assert.Equal(8, audit.Count(e => e.Action == "access_refused" && e.Actor == "mine-engine"));
    }
}

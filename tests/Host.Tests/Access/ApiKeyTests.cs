using System.Globalization;
using Accounts.Orleans.Access;
using Accounts.Orleans.Access.Keys;
using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Host.Tests.Accounts;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Access;

/// <summary>API keys at the silo's edge, as a workflow engine and an intruder holding the cluster's client certificate meet them.</summary>
public sealed class ApiKeyTests(PostgresServer postgres)
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task A_call_without_a_valid_key_is_refused_as_unauthenticated_and_changes_nothing()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var unknown = ApiKeyContext.Prefix + "abcdefghijkm_" + new string('A', 43);
        var revoked = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = "gone", Scopes = [Scopes.Admin] })).Key;
        await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).RevokeAsync("gone");

        foreach (var key in new[] { null, "", "hello", unknown, revoked, revoked[..^1] + (revoked[^1] == 'A' ? 'B' : 'A') })
        {
            await using var client = await host.ConnectClientAsync(key);
            await Assert.ThrowsAsync<UnauthenticatedException>(() => client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery()));
            await Assert.ThrowsAsync<UnauthenticatedException>(() => client.Grains.GetGrain<IApiKeyRegistryGrain>(0)
                .CreateAsync(new ApiKeyRequest { Name = "intruder", Scopes = [Scopes.Admin] }));
        }

        Assert.DoesNotContain(await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).ListAsync(), k => k.Name == "intruder");
        var created = await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = "shown-once", Scopes = [Scopes.AccountsRead] });
        Assert.DoesNotContain(created.Key[ApiKeyContext.Prefix.Length..], created.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Made_up_key_ids_cannot_grow_what_a_silo_remembers_and_real_keys_still_work_past_the_bound()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var reader = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = "reader", Scopes = [Scopes.AccountsRead] })).Key;
        var resolver = host.Services.GetRequiredService<PrincipalResolver>();
        await using var intruder = await host.ConnectClientAsync(apiKey: null);
        var directory = intruder.Grains.GetGrain<IAccountDirectoryGrain>(0);

        await Parallel.ForEachAsync(Enumerable.Range(0, PrincipalResolver.MaxRemembered + 500), TestContext.Current.CancellationToken, async (i, _) =>
        {
            var id = string.Concat(Enumerable.Range(0, 12).Select(digit => "abcdefghijkmnpqrstuvwxyz23456789"[(i >> (5 * digit)) & 31]));
            RequestContext.Set(ApiKeyContext.Key, $"{ApiKeyContext.Prefix}{id}_{new string('A', 43)}");
            await Assert.ThrowsAsync<UnauthenticatedException>(() => directory.ListAsync(new AccountQuery()));
        });
        RequestContext.Clear();
        await using var asReader = await host.ConnectClientAsync(reader);

        Assert.InRange(resolver.Remembered, 1, PrincipalResolver.MaxRemembered);
        Assert.Empty((await asReader.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery())).Items);
    }

    [Fact]
    public async Task A_keys_scopes_decide_what_it_may_call_and_the_services_own_interfaces_answer_no_key()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        var registry = host.Grains.GetGrain<IApiKeyRegistryGrain>(0);
        var reader = (await registry.CreateAsync(new ApiKeyRequest { Name = "reader", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsRead] })).Key;
        var steps = (await registry.CreateAsync(new ApiKeyRequest { Name = "steps", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.CredentialsRead] })).Key;
        await using var asReader = await host.ConnectClientAsync(reader);
        await using var asSteps = await host.ConnectClientAsync(steps);
        await using var asAdmin = await host.ConnectClientAsync();
        var read = new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId);

        var listed = await asReader.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
        var noCredentials = await Assert.ThrowsAsync<PermissionDeniedException>(() => asReader.Grains.GetGrain<IConnectedAccountGrain>(account.Id).GetCredentialsAsync(read));
        var noRename = await Assert.ThrowsAsync<PermissionDeniedException>(() => asReader.Grains.GetGrain<IConnectedAccountGrain>(account.Id).RenameAsync("Mine now", "forged"));
        var noKeys = await Assert.ThrowsAsync<PermissionDeniedException>(() => asReader.Grains.GetGrain<IApiKeyRegistryGrain>(0).ListAsync());
        var credentials = await asSteps.Grains.GetGrain<IConnectedAccountGrain>(account.Id).GetCredentialsAsync(read);
        var noLookup = await Assert.ThrowsAsync<PermissionDeniedException>(() => asAdmin.Grains.GetGrain<IApiKeyLookupGrain>(0).FindAsync("abcdefghijkm"));
        var noLifecycle = await Assert.ThrowsAsync<PermissionDeniedException>(() => asAdmin.Grains.GetGrain<Connections.Accounts.IAccountLifecycleGrain>(account.Id).RefreshIfDueAsync(TimeSpan.Zero));

        Assert.Equal([account.Id], listed.Items.Select(a => a.Id));
        Assert.Equal((Scopes.CredentialsRead, Scopes.AccountsWrite, Scopes.Admin), (noCredentials.Needed, noRename.Needed, noKeys.Needed));
        Assert.Equal(TestHost.Key, credentials.Fields["api_key"]);
        Assert.Equal(("service", "service"), (noLookup.Needed, noLifecycle.Needed));
        Assert.Equal("Primary", (await host.Account(account.Id).GetAsync()).Nickname);
        await host.FlushAuditAsync();
        var audit = await host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(account.Id, 50);
        Assert.Contains(audit, e => e.Action == "credentials_read" && e.Actor == "steps" && e.WorkflowId == Step.WorkflowId && e.StepId == Step.StepId);
    }

    [Fact]
    public async Task Apikeys_commands_show_a_key_once_store_only_its_hash_and_a_revoke_holds_within_seconds()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var cluster = host.Services.GetRequiredService<ClusterSettings>();
        string[] Settings() => ["--Accounts:Storage:DataDirectory", host.Storage.DataDirectory!, "--Accounts:Cluster:GatewayPort", cluster.GatewayPort.ToString(CultureInfo.InvariantCulture)];
        async Task<(int Code, string Output, string Error)> RunAsync(params string[] args)
        {
            using var output = new StringWriter();
            using var error = new StringWriter();
            var code = await ClusterCommands.RunAsync([.. args, .. Settings()], output, error);
            return (code, output.ToString(), error.ToString());
        }

        var created = await RunAsync("apikeys", "create", "--name", "engine", "--workspace", TestHost.Workspace, "--scope", "accounts:read,credentials:read", "--scope", "accounts:write");
        var key = created.Output.Split('\n')[0].Trim();
        await using var engine = await host.ConnectClientAsync(key);
        var before = await engine.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
        var listed = await RunAsync("apikeys", "list");
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        var usage = await RunAsync("apikeys", "create", "--name", "both", "--workspace", "ws", "--all-workspaces", "--scope", "admin");
        var badScope = await RunAsync("apikeys", "create", "--name", "bad", "--all-workspaces", "--scope", "everything");
        var revoked = await RunAsync("apikeys", "revoke", "engine");
        var again = await RunAsync("apikeys", "revoke", "engine");

        Assert.Equal(0, created.Code);
        Assert.StartsWith(ApiKeyContext.Prefix, key, StringComparison.Ordinal);
        Assert.Empty(before.Items);
        Assert.Contains("engine\taok_", listed.Output, StringComparison.Ordinal);
        Assert.Contains("accounts:read,credentials:read,accounts:write", listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^20..], listed.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^20..], stored, StringComparison.Ordinal);
        Assert.Equal((2, 1, 0, 1), (usage.Code, badScope.Code, revoked.Code, again.Code));
        Assert.Contains("scopes", badScope.Error, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await engine.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
                return false;
            }
            catch (UnauthenticatedException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(5), "the revoked key to be refused");
    }

    [Fact]
    public async Task On_a_two_silo_postgres_cluster_a_key_made_on_one_silo_works_on_the_other_and_its_revoke_reaches_it()
    {
        var settings = RunningHost.Postgres(await postgres.CreateDatabaseAsync(), clusterId: "apikeys");
        await using var first = await RunningHost.StartAsync(settings);
        await using var second = await RunningHost.StartAsync(settings);
        var created = await first.Grains.GetGrain<IApiKeyRegistryGrain>(0)
            .CreateAsync(new ApiKeyRequest { Name = "engine", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsRead] });
        await using var engine = await second.ConnectClientAsync(second.ClientTls, created.Key, TestContext.Current.CancellationToken);
        await using var none = await second.ConnectClientAsync(second.ClientTls, null, TestContext.Current.CancellationToken);
        var directory = engine.Grains.GetGrain<IAccountDirectoryGrain>(0);

        var before = await directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
        await Assert.ThrowsAsync<UnauthenticatedException>(() => none.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery()));
        await first.Grains.GetGrain<IApiKeyRegistryGrain>(0).RevokeAsync("engine");

        Assert.Empty(before.Items);
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                // Asked of both silos' activations: the directory grain may live on either.
                await directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
                await engine.Grains.GetGrain<IConnectedAccountGrain>("acct_01JZZZZZZZZZZZZZZZZZZZZZZZ").GetAsync();
                return false;
            }
            catch (UnauthenticatedException)
            {
                return true;
            }
            catch (AccountNotFoundException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(5), "both silos to refuse the revoked key");
    }

    [Fact]
    public async Task Silos_starting_together_write_one_first_admin_key_and_revoke_the_others()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var folder = new TempDirectory();
        var path = Path.Combine(folder.Path, "admin.apikey");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => global::Accounts.Orleans.Access.AdminKeyFile.EnsureAsync(host.Grains, path, TestContext.Current.CancellationToken)));
        var written = File.ReadAllText(path).Trim();
        await using var client = await host.ConnectClientAsync(written);
        var keys = await client.Grains.GetGrain<IApiKeyRegistryGrain>(0).ListAsync();

        Assert.Equal(2, keys.Count(k => k.RevokedAt is null)); // the Host's own console key, and the one in the file
        Assert.Contains(keys, k => k.RevokedAt is null && written.StartsWith(k.Prefix.TrimEnd('…'), StringComparison.Ordinal) && k.Name != "console");
    }
}

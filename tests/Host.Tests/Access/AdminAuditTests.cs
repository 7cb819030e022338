using Accounts.Orleans.Access.Keys;
using Accounts.Orleans.Catalog;
using Accounts.Orleans.Connections.Maintenance;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Access;

public sealed class AdminAuditTests
{
    [Fact]
    public async Task Catalog_key_and_maintenance_actions_are_audited_under_the_key_that_acted_whatever_operator_it_names()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var registry = host.Grains.GetGrain<IApiKeyRegistryGrain>(0);
        var admin = (await registry.CreateAsync(new ApiKeyRequest { Name = "ops-admin", Scopes = [Scopes.Admin] })).Key;
        await using var asAdmin = await host.ConnectClientAsync(admin);
        var catalog = asAdmin.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
        var app = (await host.Grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(TestHost.OAuthSlug))!;

        await catalog.UpsertAppAsync(app with { Description = "Same hosts" }, "forged-operator");
        await catalog.UpsertAppAsync(app with { OAuth = app.OAuth! with { TokenUrl = "https://tokens.attacker.example/token" } }, "forged-operator");
        await catalog.SetAppDisabledAsync(app.Slug, true, "forged-operator");
        var request = (await host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey)
            .SubmitRequestAsync(new AppRequestSubmission("Widgetly", null, null, "a@example.com"))).Request;
        await catalog.TriageRequestAsync(request.Id, AppRequestStatus.Declined, null, "forged-operator", "not now");
        await asAdmin.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = "billing", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.CredentialsRead] });
        await asAdmin.Grains.GetGrain<IApiKeyRegistryGrain>(0).RevokeAsync("billing");
        await asAdmin.Grains.GetGrain<IAccountMaintenanceGrain>(0).RebuildIndexAsync("forged-operator");
        await host.FlushAuditAsync();

        var appEvents = await AuditOf(host, AppCatalogGrain.AppSubject(app.Slug));
        var keyEvents = await AuditOf(host, ApiKeyContext.AuditSubject("billing"));
        var requestEvents = await AuditOf(host, $"app-request:{request.Id}");
        var maintenance = await AuditOf(host, AccountMaintenanceGrain.AuditSubject);

        Assert.Equal(["app_disabled", "app_changed", "app_changed"], appEvents.Select(e => e.Action));
        Assert.Null(appEvents[2].Detail);
        Assert.Equal("endpoints moved: token http://127.0.0.1:" + new Uri(app.OAuth!.TokenUrl).Port + " → https://tokens.attacker.example", appEvents[1].Detail);
        Assert.Equal(["apikey_revoked", "apikey_created"], keyEvents.Select(e => e.Action));
        Assert.Equal($"{TestHost.Workspace}: {Scopes.CredentialsRead}", keyEvents[1].Detail);
        Assert.Equal("Declined", Assert.Single(requestEvents).Detail);
        Assert.Equal("rebuild_index", Assert.Single(maintenance).Action);
        Assert.All(appEvents.Concat(keyEvents).Concat(requestEvents).Concat(maintenance), e => Assert.Equal("ops-admin", e.Actor));
    }

    private static async Task<List<AuditEvent>> AuditOf(TestHost host, string subject)
        => [.. await host.Directory.GetAuditAsync(subject, 50)];
}

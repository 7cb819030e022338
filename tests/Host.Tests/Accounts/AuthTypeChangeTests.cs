using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>An app that connected with keys and now connects with OAuth (as Shopify and Zendesk did): its old accounts keep working until reconnected.</summary>
public sealed class AuthTypeChangeTests
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task A_key_account_keeps_reading_its_keys_after_its_app_turns_to_oauth_and_a_reconnect_makes_it_an_oauth_account_with_the_same_id()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().WithFakeTokenEndpoint()
            .With(s => s[$"Accounts:OAuthClients:{LoopbackKeyApp.Slug}:ClientId"] = TestHost.OAuthClientId).StartAsync();
        var keyAccount = await host.ConnectWithKeyAsync();
        await host.Account(keyAccount.Id).LinkAsync(TestHost.Workspace, Step);
        var oauthApp = (await host.Grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(TestHost.OAuthSlug))!;
        var keyApp = (await host.Grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(LoopbackKeyApp.Slug))!;
        var change = await host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).UpsertAppAsync(
            keyApp with { AuthType = AuthType.OAuth2, OAuth = oauthApp.OAuth, Fields = [], TestRequest = null, Api = new ApiSettings { BaseUrl = "https://api.keys.example" } }, "ops");
        await host.Grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { AtLeastRevision = change.Revision });

        var stillKeys = await Read(host, keyAccount.Id);
        // Its API now takes a token the account never had: asked to proxy, it is told to reconnect, and nothing is sent.
        var proxied = await Record.ExceptionAsync(() => host.Grains.GetGrain<IAccountProxyGrain>(0).ProxyAsync(keyAccount.Id, new ProxyRequest
        {
            WorkspaceId = TestHost.Workspace, WorkflowId = Step.WorkflowId, StepId = Step.StepId, Path = "/v1/me",
        }));
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var started = await host.Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = LoopbackKeyApp.Slug, Nickname = keyAccount.Nickname, Actor = "ops", ReconnectAccountId = keyAccount.Id,
        });
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.True(page.IsSuccessStatusCode);
        var flow = await host.Grains.OAuthFlow(started.State).GetViewAsync();
        var nowOAuth = await Read(host, keyAccount.Id);
        var summary = await host.Account(keyAccount.Id).GetAsync();

        Assert.Equal(AuthType.Keys, stillKeys.AuthType);
        Assert.Contains("reconnect", Assert.IsType<AccountNeedsReconnectException>(proxied).Message, StringComparison.Ordinal);
        Assert.Equal(host.KeyApp!.ValidKey, stillKeys.Fields["api_key"]);
        Assert.Equal(keyAccount.Id, flow.AccountId);
        Assert.Equal(AuthType.OAuth2, nowOAuth.AuthType);
        Assert.Equal("access-1", nowOAuth.AccessToken);
        Assert.Empty(nowOAuth.Fields);
        Assert.Equal(AuthType.OAuth2, summary.AuthType);
        Assert.Empty(summary.Fields);
        Assert.Null(summary.NextCheckAt);
        Assert.Contains(Step, summary.LinkedSteps);
    }

    private static Task<CredentialBundle> Read(TestHost host, string id)
        => host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId));
}

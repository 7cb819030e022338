using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// An OAuth app whose endpoints depend on the account (a tenant in the path, an instance the token answer names),
/// against a token endpoint on loopback that records where each call went.
/// </summary>
public sealed class ConnectionSettingsTests
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task A_tenant_setting_shapes_every_endpoint_and_a_captured_instance_is_where_the_proxy_calls()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        await using var host = await TenantHostAsync(api);
        var instance = api.BaseAddress.ToString().TrimEnd('/');
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1", extra: new { instance_url = instance }))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));

        var started = await StartAsync(host, new() { ["tenant"] = "acme" });
        var opened = await host.Browser.OpenFlowAsync(started);
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        api.ValidSecret = "access-1";
        var proxied = await host.Grains.GetGrain<IAccountProxyGrain>(0).ProxyAsync(id, new ProxyRequest
        {
            WorkspaceId = TestHost.Workspace, WorkflowId = Step.WorkflowId, StepId = Step.StepId, Path = "/v1/me",
        });
        await host.Account(id).RefreshAsync("ops");

        Assert.StartsWith($"{host.Fake.TokenUrl.GetLeftPart(UriPartial.Authority)}/acme/authorize?", opened.AuthorizeUrl.ToString(), StringComparison.Ordinal);
        Assert.Equal(["/acme/token", "/acme/refresh"], host.Fake.Requests.Select(r => r.Path));
        Assert.Equal(200, proxied.Status);
        Assert.Equal("/api/v1/me", Assert.Single(api.Requests).Target);
    }

    [Theory]
    [InlineData("evil.example/")]
    [InlineData("../admin")]
    [InlineData("acme\u202E")]
    [InlineData("")]
    public async Task A_missing_or_malformed_setting_is_refused_by_name_and_no_flow_starts(string tenant)
    {
        await using var api = await LoopbackApiApp.StartAsync();
        await using var host = await TenantHostAsync(api);

        var refused = await Assert.ThrowsAsync<AccountValidationException>(() => StartAsync(host, new() { ["tenant"] = tenant }));
        var unknown = await Assert.ThrowsAsync<AccountValidationException>(() => StartAsync(host, new() { ["tenant"] = "acme", ["host"] = "evil.example" }));

        Assert.Equal(["settings.tenant"], refused.Errors.Keys);
        Assert.Contains("settings.host", unknown.Errors.Keys);
        Assert.Empty(host.Fake!.Requests);
    }

    [Fact]
    public async Task A_token_answer_naming_an_instance_off_the_apps_hosts_connects_nothing()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        await using var host = await TenantHostAsync(api);
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1", extra: new { instance_url = "https://evil.example" }));

        var started = await StartAsync(host, new() { ["tenant"] = "acme" });
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.False(page.IsSuccessStatusCode);
        var flow = await host.Grains.OAuthFlow(started.State).GetViewAsync();

        Assert.Null(flow.AccountId);
        Assert.Contains("address the service will not call", flow.Message, StringComparison.Ordinal);
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace })).Items);
    }

    private static Task<OAuthStarted> StartAsync(TestHost host, Dictionary<string, string> settings)
        => host.Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = TestHost.OAuthSlug, Nickname = "Tenant", Actor = "ops", Settings = settings,
        });

    /// <summary>The loopback OAuth app, its endpoints under a tenant and its API at whatever instance the token answer names.</summary>
    private static Task<TestHost> TenantHostAsync(LoopbackApiApp api)
        => TestHost.Sqlite().WithFakeTokenEndpoint().WithOAuthApp(app =>
        {
            var origin = new Uri(app.OAuth!.TokenUrl).GetLeftPart(UriPartial.Authority);
            return app with
            {
                Settings = [new ConnectionSetting { Name = "tenant", Label = "Tenant", Pattern = "^[a-z0-9-]+$" }],
                Hosts = ["127.0.0.1"],
                OAuth = app.OAuth with
                {
                    AuthorizeUrl = origin + "/{{tenant}}/authorize",
                    TokenUrl = origin + "/{{tenant}}/token",
                    RefreshUrl = origin + "/{{tenant}}/refresh",
                    RevokeUrl = origin + "/{{tenant}}/revoke",
                    TokenResponse = app.OAuth.TokenResponse! with { Captures = new Dictionary<string, string> { ["instance_url"] = "instance_url" } },
                },
                Api = new ApiSettings { BaseUrl = "{{instance_url}}/api" },
            };
        }).StartAsync();
}

using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Our OAuth client against a real authorization server on loopback, end to end through the Host's callback.</summary>
public sealed class OAuthAccountTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private static readonly WorkflowStep Step = new("wf_sync", "pull");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    [Theory, MemberData(nameof(Engines))]
    public async Task Connecting_through_consent_gives_a_linked_step_a_token_the_app_accepts(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithAuthorizationServer().StartAsync();

        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var credentials = await host.Account(id).GetCredentialsAsync(Read);
        var summary = await host.Account(id).GetAsync();

        Assert.True(await host.Server!.IsActiveAsync(credentials.AccessToken!, TestContext.Current.CancellationToken));
        Assert.Equal("Bearer", credentials.TokenType);
        Assert.Contains("read", summary.GrantedScopes);
        Assert.Equal(AccountHealth.Healthy, summary.Health);
        Assert.NotNull(summary.AccessTokenExpiresAt);
        Assert.Equal(1, host.Server.CodeExchanges);
        Assert.Equal(0, host.Server.Refreshes);
    }

    [Fact]
    public async Task The_authorize_url_carries_state_pkce_s256_and_the_registered_redirect()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();

        var started = await host.StartFlowAsync();
        var opened = await host.Browser.OpenFlowAsync(started);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(opened.AuthorizeUrl.Query);

        Assert.Equal($"http://127.0.0.1/connect/oauth?flow={started.State}", started.Url);
        Assert.StartsWith(host.Server!.AuthorizeEndpoint.ToString(), opened.AuthorizeUrl.ToString(), StringComparison.Ordinal);
        Assert.Equal(started.State, query["state"]);
        Assert.Equal(43, started.State.Length);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.Equal(TestHost.RedirectUri, query["redirect_uri"]);
        Assert.Equal("code", query["response_type"]);
        Assert.InRange(started.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(9), TimeSpan.FromMinutes(10));
    }

    [Fact]
    public async Task Refresh_rotates_the_refresh_token_and_the_old_one_stops_working()
    {
        // Two "refresh now" in a row, each to reach the app.
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().With(s => s["Accounts:Connections:ForcedRefreshCooldown"] = "00:00:00").StartAsync();
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var before = await host.Account(id).GetCredentialsAsync(Read);

        await host.Account(id).RefreshAsync("ops");
        var after = await host.Account(id).GetCredentialsAsync(Read);
        await host.Account(id).RefreshAsync("ops");

        Assert.Equal(2, host.Server!.Refreshes);
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.True(await host.Server.IsActiveAsync((await host.Account(id).GetCredentialsAsync(Read)).AccessToken!, TestContext.Current.CancellationToken));
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Rotated_tokens_survive_a_restart_so_the_next_refresh_uses_the_newest_refresh_token(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithAuthorizationServer().StartAsync();
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).RefreshAsync("ops");

        await host.RestartAsync();
        await host.Account(id).RefreshAsync("ops");

        Assert.Equal(2, host.Server!.Refreshes);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
    }

    [Fact]
    public async Task Deleting_revokes_the_refresh_token_at_the_app_and_erases_the_tokens()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);

        var tombstone = await host.Account(id).DeleteAsync(force: true, "ops");

        // The refresh token never leaves the service, so the server's revocation count is the proof it was sent.
        Assert.Equal(1, host.Server!.Revocations);
        Assert.Equal(AccountHealth.Deleted, tombstone.Health);
        await Assert.ThrowsAsync<AccountDeletedException>(() => host.Account(id).GetCredentialsAsync(Read));
    }

    [Fact]
    public async Task Reconnecting_through_a_new_flow_keeps_the_account_id_and_its_links()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var before = (await host.Account(id).GetCredentialsAsync(Read)).AccessToken;

        var again = await host.ConnectWithOAuthAsync(reconnect: id);
        var after = await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal(id, again);
        Assert.NotEqual(before, after.AccessToken);
        Assert.Equal([Step], (await host.Account(id).GetAsync()).LinkedSteps);
    }

    [Fact]
    public async Task A_callback_with_the_servers_issuer_is_accepted_and_a_different_issuer_is_refused()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer(new LoopbackAuthorizationServerOptions
        {
            ClientId = TestHost.OAuthClientId,
            ClientSecret = TestHost.OAuthClientSecret,
            RedirectUris = [TestHost.RedirectUri],
            SendIssuerOnCallback = true,
        }).StartAsync();

        await host.ConnectWithOAuthAsync();
        var started = await host.StartFlowAsync();
        var opened = await host.Browser.OpenFlowAsync(started);
        var redirect = await host.Server!.AuthorizeAsUserAsync(opened.AuthorizeUrl, TestContext.Current.CancellationToken);
        var forged = redirect.Query.Replace(Uri.EscapeDataString(host.Server.Issuer.ToString()), Uri.EscapeDataString("https://evil.example/"), StringComparison.Ordinal);
        using var page = await host.CallbackAsync(forged);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("issuer", await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(1, host.Server.CodeExchanges);
    }

    [Fact]
    public async Task Starting_a_flow_for_an_app_without_an_oauth_client_says_so()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();

        var error = await Assert.ThrowsAsync<OAuthClientNotConfiguredException>(() => host.Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace,
            AppSlug = "github",
            Nickname = "Code",
            Actor = "ops",
        }));

        Assert.Contains("Accounts:OAuthClients:github:ClientId", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Starting_a_flow_refuses_key_based_apps_bad_scopes_and_other_workspaces_accounts()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();
        var id = await host.ConnectWithOAuthAsync();
        OAuthStartRequest Request(string app) => new() { WorkspaceId = TestHost.Workspace, AppSlug = app, Nickname = "x", Actor = "ops" };

        var keys = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.StartOAuthAsync(Request("sendgrid")));
        var scopes = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.StartOAuthAsync(Request(TestHost.OAuthSlug) with { ExtraScopes = ["a b"] }));
        await Assert.ThrowsAsync<AccountAccessDeniedException>(() => host.StartFlowAsync(reconnect: id, workspace: "ws_other"));

        Assert.Contains("appSlug", keys.Errors.Keys);
        Assert.Contains("extraScopes", scopes.Errors.Keys);
    }
}

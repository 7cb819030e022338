using Accounts.Orleans.Testing.OAuth;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Interop;

public sealed class LoopbackAuthorizationServerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Code_exchange_with_pkce_returns_access_and_refresh_tokens_for_post_and_basic_client_auth(bool basic)
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var callback = await client.AuthorizeAsync();
        Assert.Equal(client.State, callback["state"]);
        var tokens = (await client.ExchangeAsync(callback["code"], basic)).Succeeded();

        Assert.False(string.IsNullOrEmpty(tokens["access_token"]));
        Assert.False(string.IsNullOrEmpty(tokens["refresh_token"]));
        Assert.Equal("Bearer", tokens["token_type"]);
        Assert.InRange(int.Parse(tokens["expires_in"]!, System.Globalization.CultureInfo.InvariantCulture), 115, 120);
        Assert.Equal(1, server.CodeExchanges);
        Assert.Equal(0, server.Refreshes);
        Assert.True(await server.IsActiveAsync(tokens["access_token"]!, Ct));
        Assert.True(await server.IsActiveAsync(tokens["refresh_token"]!, Ct));
    }

    [Fact]
    public async Task Access_token_is_a_jwt_for_the_configured_subject_and_scopes()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options() with { Subject = "alice" }, Ct);
        using var client = new CodeFlowClient(server);

        var tokens = await client.TokensAsync();

        var payload = tokens["access_token"]!.Split('.')[1];
        using var claims = JsonDocument.Parse(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=').Replace('-', '+').Replace('_', '/')));
        Assert.Equal("alice", claims.RootElement.GetProperty("sub").GetString());
        Assert.Equal(server.Issuer.AbsoluteUri, claims.RootElement.GetProperty("iss").GetString());
        Assert.Contains("read", claims.RootElement.GetProperty("scope").GetString()!.Split(' '));
    }

    [Fact]
    public async Task Granted_scopes_are_the_requested_ones_plus_offline_access()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var callback = CodeFlowClient.Query(await server.AuthorizeAsUserAsync(client.AuthorizeUrl(scope: "read write"), Ct));
        var tokens = (await client.ExchangeAsync(callback["code"])).Succeeded();

        Assert.Equal(["offline_access", "read", "write"], tokens["scope"]!.Split(' ').Order());
    }

    [Fact]
    public async Task A_scope_the_client_may_not_ask_for_is_refused_with_invalid_scope()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var callback = CodeFlowClient.Query(await server.AuthorizeAsUserAsync(client.AuthorizeUrl(scope: "read admin"), Ct));

        Assert.Equal("invalid_scope", callback["error"]);
        Assert.Equal(client.State, callback["state"]);
    }

    [Fact]
    public async Task Wrong_code_verifier_is_refused_with_invalid_grant()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var answer = await client.ExchangeAsync(await client.CodeAsync(), verifier: new string('x', 43));

        Assert.Equal(400, answer.Status);
        Assert.Equal("invalid_grant", answer["error"]);
        Assert.Equal(1, server.CodeExchanges);
    }

    [Fact]
    public async Task A_code_works_only_once()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var code = await client.CodeAsync();

        (await client.ExchangeAsync(code)).Succeeded();
        var second = await client.ExchangeAsync(code);

        Assert.Equal("invalid_grant", second["error"]);
        Assert.Equal(2, server.CodeExchanges);
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    public async Task Only_S256_code_challenges_are_accepted(string method)
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var callback = CodeFlowClient.Query(await server.AuthorizeAsUserAsync(client.AuthorizeUrl(challengeMethod: method), Ct));

        Assert.Equal("invalid_request", callback["error"]);
        Assert.Contains("code_challenge_method", callback["error_description"], StringComparison.Ordinal);
        Assert.Equal(client.State, callback["state"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Fact]
    public async Task Refresh_returns_a_new_refresh_token_and_the_old_one_then_gets_invalid_grant()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var first = await client.TokensAsync();

        var second = (await client.RefreshAsync(first["refresh_token"]!, basic: true)).Succeeded();
        Assert.NotEqual(first["refresh_token"], second["refresh_token"]);
        Assert.NotEqual(first["access_token"], second["access_token"]);
        Assert.False(await server.IsActiveAsync(first["refresh_token"]!, Ct));
        Assert.True(await server.IsActiveAsync(second["refresh_token"]!, Ct));

        var reused = await client.RefreshAsync(first["refresh_token"]!);

        Assert.Equal(400, reused.Status);
        Assert.Equal("invalid_grant", reused["error"]);
        Assert.Equal(2, server.Refreshes);
    }

    [Fact]
    public async Task Reusing_a_rotated_refresh_token_revokes_the_whole_grant()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var first = await client.TokensAsync();
        var second = (await client.RefreshAsync(first["refresh_token"]!)).Succeeded();

        await client.RefreshAsync(first["refresh_token"]!);

        Assert.False(await server.IsActiveAsync(second["refresh_token"]!, Ct));
        Assert.Equal("invalid_grant", (await client.RefreshAsync(second["refresh_token"]!))["error"]);
    }

    [Fact]
    public async Task A_reuse_leeway_lets_a_rotated_refresh_token_work_again_for_a_while()
    {
        var options = CodeFlowClient.Options() with { RefreshTokenReuseLeeway = TimeSpan.FromMinutes(1) };
        await using var server = await LoopbackAuthorizationServer.StartAsync(options, Ct);
        using var client = new CodeFlowClient(server);
        var first = await client.TokensAsync();

        (await client.RefreshAsync(first["refresh_token"]!)).Succeeded();
        (await client.RefreshAsync(first["refresh_token"]!)).Succeeded();

        Assert.Equal(2, server.Refreshes);
    }

    [Theory]
    [InlineData("refresh_token")]
    [InlineData("access_token")]
    public async Task Revocation_makes_a_token_inactive(string kind)
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var token = (await client.TokensAsync())[kind]!;

        Assert.Equal(200, await client.RevokeAsync(token, hint: kind));

        Assert.False(await server.IsActiveAsync(token, Ct));
        Assert.Equal(1, server.Revocations);
    }

    [Fact]
    public async Task A_revoked_refresh_token_gets_invalid_grant()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var tokens = await client.TokensAsync();

        await client.RevokeAsync(tokens["refresh_token"]!);

        Assert.Equal("invalid_grant", (await client.RefreshAsync(tokens["refresh_token"]!))["error"]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_iss_callback_parameter_and_its_metadata_follow_the_option(bool send)
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options() with { SendIssuerOnCallback = send }, Ct);
        using var client = new CodeFlowClient(server);

        var callback = await client.AuthorizeAsync();
        var denied = await client.AuthorizeAsync(prompt: LoopbackAuthorizationServer.DenyPrompt);

        Assert.Equal(send, callback.ContainsKey("iss"));
        Assert.Equal(send, denied.ContainsKey("iss"));
        if (send) Assert.Equal(server.Issuer.AbsoluteUri, callback["iss"]);
        using var http = new HttpClient();
        using var metadata = JsonDocument.Parse(await http.GetStringAsync(server.ConfigurationEndpoint, Ct));
        Assert.Equal(send, metadata.RootElement.GetProperty("authorization_response_iss_parameter_supported").GetBoolean());
        Assert.Equal(server.TokenEndpoint.AbsoluteUri, metadata.RootElement.GetProperty("token_endpoint").GetString());
    }

    [Fact]
    public async Task Prompt_deny_sends_the_user_back_with_access_denied_and_the_state()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);

        var callback = await client.AuthorizeAsync(prompt: LoopbackAuthorizationServer.DenyPrompt);

        Assert.Equal("access_denied", callback["error"]);
        Assert.Equal(client.State, callback["state"]);
        Assert.False(callback.ContainsKey("code"));
    }

    [Fact]
    public async Task Deny_option_refuses_every_authorization()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options() with { DenyAuthorization = true }, Ct);
        using var client = new CodeFlowClient(server);

        Assert.Equal("access_denied", (await client.AuthorizeAsync())["error"]);
    }

    [Fact]
    public async Task An_unregistered_redirect_uri_is_not_redirected_to()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var url = new Uri(client.AuthorizeUrl().AbsoluteUri.Replace(Uri.EscapeDataString(CodeFlowClient.RedirectUri), Uri.EscapeDataString("http://127.0.0.1:5999/evil"), StringComparison.Ordinal));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => server.AuthorizeAsUserAsync(url, Ct));

        Assert.Contains("did not redirect", error.Message, StringComparison.Ordinal);
        Assert.Contains("redirect_uri", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_is_not_redirected_to()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var url = new Uri(client.AuthorizeUrl().AbsoluteUri.Replace("client_id=" + server.Options.ClientId, "client_id=stranger", StringComparison.Ordinal));

        await Assert.ThrowsAsync<InvalidOperationException>(() => server.AuthorizeAsUserAsync(url, Ct));
    }

    [Fact]
    public async Task A_wrong_client_secret_is_refused_with_invalid_client()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options(), Ct);
        using var client = new CodeFlowClient(server);
        var code = await client.CodeAsync();

        using var http = new HttpClient();
        using var response = await http.PostAsync(server.TokenEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = CodeFlowClient.RedirectUri,
            ["code_verifier"] = client.Verifier, ["client_id"] = server.Options.ClientId, ["client_secret"] = "not-the-secret",
        }), Ct);

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Contains("invalid_client", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Access_tokens_expire_on_the_server_clock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options() with { TimeProvider = clock }, Ct);
        using var client = new CodeFlowClient(server);
        var tokens = await client.TokensAsync();

        clock.Advance(TimeSpan.FromMinutes(3));

        Assert.False(await server.IsActiveAsync(tokens["access_token"]!, Ct));
        Assert.True(await server.IsActiveAsync(tokens["refresh_token"]!, Ct));
        (await client.RefreshAsync(tokens["refresh_token"]!)).Succeeded();
    }

    [Fact]
    public async Task Options_are_checked_at_start()
    {
        var error = await Assert.ThrowsAsync<ArgumentException>(() =>
            LoopbackAuthorizationServer.StartAsync(CodeFlowClient.Options() with { RedirectUris = [] }, Ct));

        Assert.Contains("RedirectUris", error.Message, StringComparison.Ordinal);
    }
}

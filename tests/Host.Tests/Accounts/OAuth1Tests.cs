using System.Net;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// OAuth 1.0a three-legged, against a provider on loopback that checks every signature with its own implementation of
/// RFC 5849: request token, consent, access token and its secret sealed, then signed calls through the proxy.
/// </summary>
public sealed class OAuth1Tests
{
    private static readonly WorkflowStep Step = new("wf_photos", "list");

    [Fact]
    public async Task A_consent_connects_an_account_whose_token_and_secret_only_the_proxy_signs_with()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await StartAsync(server);

        var id = await ConnectAsync(host, server);

        var account = await host.Account(id).GetAsync();
        Assert.Equal(AuthType.OAuth1, account.AuthType);
        Assert.Equal(AccountHealth.Healthy, account.Health);
        Assert.Equal(server.UserId, account.UpstreamIdentity);
        Assert.Null(account.AccessTokenExpiresAt);
        var (token, secret) = Assert.Single(server.IssuedAccessTokens);

        // A step gets the token and the consumer key (what Trello takes as they are), never the token secret.
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var bundle = await host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId));
        Assert.Equal(AuthType.OAuth1, bundle.AuthType);
        Assert.Equal(token, bundle.AccessToken);
        Assert.Equal("OAuth", bundle.TokenType);
        Assert.Equal(new Dictionary<string, string> { ["consumer_key"] = LoopbackOAuth1Server.ConsumerKey }, bundle.Fields);
        Assert.DoesNotContain(secret, bundle.ToString(), StringComparison.Ordinal);

        // The provider refuses any call whose signature does not cover exactly what it received: query and form included.
        var me = await ProxyAsync(host, id, "/me", query: [new("fields", "name email"), new("q", "a+b&c=d/é")]);
        Assert.Equal(200, me.Status);
        Assert.Equal(server.UserId, JsonDocument.Parse(me.Body).RootElement.GetProperty("id").GetString());
        var echo = await ProxyAsync(host, id, "/albums/7/photos", method: "POST", query: [new("page", "2")],
            body: "title=Summer%20%262026&tags=sea+sun&empty=", contentType: "application/x-www-form-urlencoded");
        Assert.Equal(200, echo.Status);
        var seen = JsonDocument.Parse(echo.Body).RootElement;
        Assert.Equal("Summer &2026", seen.GetProperty("form").GetProperty("title").GetString());
        Assert.Equal("sea sun", seen.GetProperty("form").GetProperty("tags").GetString());
        Assert.Equal("2", seen.GetProperty("query").GetProperty("page").GetString());
        // A body that is not a form is not part of the signature, and still goes as it was sent.
        var json = await ProxyAsync(host, id, "/notes", method: "POST", body: """{"text":"hi"}""", contentType: "application/json");
        Assert.Equal(200, json.Status);
        Assert.Empty(server.Problems);

        // Each call had a nonce of its own; neither secret, nor the consumer secret, travelled anywhere but into a signature.
        Assert.All(server.AuthorizationHeaders, h => Assert.DoesNotContain(secret, h, StringComparison.Ordinal));
        Assert.All(server.AuthorizationHeaders, h => Assert.DoesNotContain(LoopbackOAuth1Server.ConsumerSecret, h, StringComparison.Ordinal));
        Assert.Equal(server.AuthorizationHeaders.Count, server.AuthorizationHeaders.Select(Nonce).Distinct().Count());
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        Assert.DoesNotContain(token, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_replayed_or_foreign_answer_a_refusal_and_a_revoked_token_each_end_the_way_they_should()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await StartAsync(server);

        // The answer names another request token: nothing is traded, nothing kept.
        var started = await StartAsync(host);
        var opened = await host.Browser.OpenFlowAsync(started);
        var callback = await ConsentAsync(opened.AuthorizeUrl);
        var forged = callback.Replace("oauth_token=", "oauth_token=x", StringComparison.Ordinal);
        using (var refused = await host.Browser.CallbackAsync(forged, opened.Cookie))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            Assert.Contains("does not name the request token", await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        Assert.Equal(0, server.AccessTokenCalls);
        // The flow is spent by any answer: the genuine one that comes after is not traded either.
        using (var late = await host.Browser.CallbackAsync(callback, opened.Cookie)) Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Equal(0, server.AccessTokenCalls);

        // The person says no.
        server.DenyNext = true;
        started = await StartAsync(host);
        opened = await host.Browser.OpenFlowAsync(started);
        using (var denied = await host.Browser.CallbackAsync(await ConsentAsync(opened.AuthorizeUrl), opened.Cookie))
        {
            Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
            Assert.Contains("did not grant access (access_denied)", await denied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        }
        Assert.Empty(await host.ListAsync());

        // A genuine answer, replayed after it connected the account, connects nothing more.
        var id = await ConnectAsync(host, server);
        Assert.Single(await host.ListAsync());
        Assert.Empty(server.Problems);

        // The person revokes the app: its 401 is passed back (there is nothing to refresh), and reconnecting keeps the id.
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        server.RevokeAccessTokens();
        var revoked = await ProxyAsync(host, id, "/me");
        Assert.Equal(401, revoked.Status);
        Assert.Equal(["token_rejected"], server.Problems);
        Assert.Equal(id, await ConnectAsync(host, server, reconnect: id));
        Assert.Equal(200, (await ProxyAsync(host, id, "/me")).Status);
        Assert.Single(await host.ListAsync());
    }

    [Fact]
    public async Task A_request_token_the_app_refuses_fails_the_start_with_its_reason_and_leaves_no_flow()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await StartAsync(server, consumerSecret: "not-the-consumer-secret");

        var refusal = await Assert.ThrowsAsync<OAuthFlowException>(() => StartAsync(host));

        Assert.Equal(OAuthFlowError.ExchangeFailed, refusal.Kind);
        Assert.Contains("did not issue a request token: the app answered HTTP 401 (signature_invalid)", refusal.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-consumer-secret", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(["signature_invalid"], server.Problems);
    }

    [Fact]
    public async Task While_the_consumer_secret_is_rotated_consents_and_signed_calls_go_on_with_the_next_one()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await TestHost.Sqlite().With(settings =>
        {
            // The app already switched to the new secret; the deployment holds it as the next one.
            server.AddTo(settings, consumerSecret: "retired-consumer-secret");
            settings[$"Accounts:OAuthClients:{LoopbackOAuth1Server.Slug}:NextClientSecret"] = LoopbackOAuth1Server.ConsumerSecret;
        }).StartAsync();

        var id = await ConnectAsync(host, server);
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var me = await ProxyAsync(host, id, "/me");

        Assert.Equal(200, me.Status);
        Assert.Equal(AuthType.OAuth1, (await host.Account(id).GetAsync()).AuthType);
        // Each leg was refused once under the retired secret and taken under the next: request token, access token, call.
        Assert.Equal(["signature_invalid", "signature_invalid", "signature_invalid"], server.Problems);
    }

    private static async Task<TestHost> StartAsync(LoopbackOAuth1Server server, string consumerSecret = LoopbackOAuth1Server.ConsumerSecret)
        => await TestHost.Sqlite().With(settings => server.AddTo(settings, consumerSecret)).StartAsync();

    private static Task<OAuthStarted> StartAsync(TestHost host, string? reconnect = null) => host.Connector.StartOAuthAsync(new OAuthStartRequest
    {
        WorkspaceId = TestHost.Workspace,
        AppSlug = LoopbackOAuth1Server.Slug,
        Nickname = "Photos",
        Actor = "ops@example.com",
        ReconnectAccountId = reconnect,
    });

    /// <summary>Start, open in the browser, consent at the provider, come back; the account's id.</summary>
    private static async Task<string> ConnectAsync(TestHost host, LoopbackOAuth1Server server, string? reconnect = null)
    {
        var started = await StartAsync(host, reconnect);
        var opened = await host.Browser.OpenFlowAsync(started);
        var callback = await ConsentAsync(opened.AuthorizeUrl);
        using (var page = await host.Browser.CallbackAsync(callback, opened.Cookie))
            Assert.True(page.IsSuccessStatusCode, await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        using (var replayed = await host.Browser.CallbackAsync(callback, opened.Cookie)) Assert.Equal(HttpStatusCode.BadRequest, replayed.StatusCode);
        return (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
    }

    /// <summary>The person at the provider's consent page; the query the provider sends the browser back with.</summary>
    private static async Task<string> ConsentAsync(Uri authorizeUrl)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var consent = await browser.GetAsync(authorizeUrl, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.Redirect, consent.StatusCode);
        var back = consent.Headers.Location!;
        Assert.Equal("/oauth/callback", back.AbsolutePath);
        return back.Query;
    }

    private static Task<ProxyResponse> ProxyAsync(TestHost host, string id, string path, string method = "GET", List<KeyValuePair<string, string>>? query = null,
        string? body = null, string? contentType = null)
        => host.Grains.GetGrain<IAccountProxyGrain>(0).ProxyAsync(id, new ProxyRequest
        {
            WorkspaceId = TestHost.Workspace,
            WorkflowId = Step.WorkflowId,
            StepId = Step.StepId,
            Method = method,
            Path = path,
            Query = query ?? [],
            Body = body is null ? null : Encoding.UTF8.GetBytes(body),
            ContentType = contentType,
        });

    private static string Nonce(string header) => header.Split(", ").Single(p => p.StartsWith("oauth_nonce=", StringComparison.Ordinal));
}

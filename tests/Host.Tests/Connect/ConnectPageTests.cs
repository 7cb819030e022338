using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Connect;

/// <summary>
/// The hosted connect page over plain HTTP, the cookie carried by hand (the test client speaks http to loopback, where a
/// browser would still send a Secure cookie): what each step answers, and what it must never show.
/// </summary>
public sealed class ConnectPageTests
{
    private const string Back = "https://app.example.com";
    private const string Secret = "lk_fedcba9876543210fedc";

    // A browser's view of redirects: each one is an answer to look at, not to follow.
    private static readonly HttpClient Browser = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    [Fact]
    public async Task A_person_opens_the_link_picks_the_app_types_the_key_and_is_sent_back_with_the_account_id()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp(Secret).With(s => s["Accounts:Connections:ConnectRedirectOrigins:0"] = Back).StartAsync();
        var (url, token, id) = await SessionAsync(host, $$"""{ "apps": ["{{LoopbackKeyApp.Slug}}"], "successRedirectUrl": "{{Back}}/connected?from=accounts" }""");

        using var opened = await GetAsync(host, url, cookie: null);
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();
        var home = await GetAsync(host, "/connect", cookie);
        var homeHtml = await home.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var app = await (await GetAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}", cookie)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var refused = await PostAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}/keys", cookie, ("nickname", "Mine"), ("field.api_key", "lk_0000000000000000"), ("field.region", "eu"));
        var refusedHtml = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var done = await PostAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}/keys", cookie, ("nickname", "Mine"), ("field.api_key", Secret), ("field.region", "eu"));

        Assert.Equal(HttpStatusCode.Redirect, opened.StatusCode);
        Assert.Equal("/connect", opened.Headers.Location!.ToString());
        Assert.StartsWith("__Host-connect=", cookie, StringComparison.Ordinal);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Loopback Keys", homeHtml, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", home.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.DoesNotContain(token, homeHtml, StringComparison.Ordinal);
        Assert.Contains("type=\"password\"", app, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.DoesNotContain("lk_0000000000000000", refusedHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var back = done.Headers.Location!.ToString();
        var account = Assert.Single(await host.ListAsync());
        Assert.Equal($"{Back}/connected?from=accounts&connect_session_id={id}&account_id={account.Id}", back);
        Assert.Equal("Mine", account.Nickname);
    }

    [Fact]
    public async Task Spent_tampered_and_cross_site_requests_change_nothing_and_markup_in_a_nickname_stays_text()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp(Secret).StartAsync();
        await host.ConnectWithKeyAsync("<script>alert(1)</script>", key: Secret);
        var (url, token, _) = await SessionAsync(host, "{}");
        using var opened = await GetAsync(host, url, cookie: null);
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();

        var app = await (await GetAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}", cookie)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var tampered = await GetAsync(host, "/connect?token=" + token[..^1] + (token[^1] == 'A' ? 'B' : 'A'), cookie: null);
        using var garbage = await GetAsync(host, "/connect?token=%3Cb%3Ehello", cookie: null);
        using var noCookie = await GetAsync(host, "/connect", cookie: null);
        using var crossSite = await PostAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}/keys", cookie, [("field.api_key", Secret)], site: "cross-site");
        using var unknownApp = await GetAsync(host, "/connect/apps/no_such_app", cookie);
        using var done = await PostAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}/keys", cookie, ("field.api_key", Secret));
        var doneHtml = await done.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var spent = await GetAsync(host, "/connect", cookie);
        using var spentPost = await PostAsync(host, $"/connect/apps/{LoopbackKeyApp.Slug}/keys", cookie, ("field.api_key", Secret));

        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", app, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", app, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, tampered.StatusCode);
        Assert.DoesNotContain(tampered.Headers, h => h.Key == "Set-Cookie");
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);
        Assert.DoesNotContain("<b>hello", await garbage.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, noCookie.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknownApp.StatusCode);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("Connected", doneHtml, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, doneHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Gone, spent.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, spentPost.StatusCode);
        Assert.Equal(2, (await host.ListAsync()).Count);
    }

    [Fact]
    public async Task A_refused_consent_offers_another_try_and_the_way_back_with_an_error_code_and_nothing_else()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(s => s["Accounts:Connections:ConnectRedirectOrigins:0"] = Back).StartAsync();
        var (url, _, id) = await SessionAsync(host, $$"""{ "errorRedirectUrl": "{{Back}}/oops" }""");
        using var opened = await GetAsync(host, url, cookie: null);
        var session = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var home = await (await GetAsync(host, "/connect", session)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        using var started = await PostAsync(host, $"/connect/apps/{TestHost.OAuthSlug}/oauth", session);
        var flow = started.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(started.Headers.Location!.Query)["state"].ToString();
        using var denied = await GetAsync(host, $"/oauth/callback?state={state}&error=access_denied&error_description=secret-ish+words", $"{session}; {flow}");
        var deniedHtml = await denied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var view = await host.Grains.GetGrain<IConnectSessionGrain>(id).GetAsync();

        Assert.Contains($"{Back}/oops?connect_session_id={id}&amp;error=cancelled", home, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.StartsWith("__Host-oauth-", flow, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, denied.StatusCode);
        Assert.Contains("Try again", deniedHtml, StringComparison.Ordinal);
        Assert.Contains($"{Back}/oops?connect_session_id={id}&amp;error=denied\"", deniedHtml, StringComparison.Ordinal);
        Assert.Equal((ConnectSessionStatus.Pending, "denied"), (view.Status, view.Error));
        Assert.DoesNotContain(host.Fake!.Requests, r => r.Path == "/token");
    }

    [Fact]
    public async Task A_service_account_key_is_asked_for_in_a_text_area_and_one_that_is_no_key_is_refused_by_its_field_without_echo()
    {
        const string NotAKey = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END PRIVATE KEY-----";
        await using var host = await TestHost.Sqlite().With(s => TestCatalog.AddTo(s, new AppDefinition
        {
            Slug = "loopback_service", Name = "Loopback service account", Categories = ["cloud"], DocsUrl = "https://docs.loopback.example/service",
            AuthType = AuthType.JwtBearer,
            OAuth = new OAuthSettings { TokenUrl = "https://oauth.loopback.example/token", Assertion = new JwtAssertionSettings { Issuer = "{{client_email}}" } },
            Fields =
            [
                new KeyField { Name = "client_email", Label = "Service account e-mail" },
                new KeyField { Name = "private_key", Label = "Private key", Secret = true, Format = KeyFieldFormat.PrivateKey },
            ],
        })).StartAsync();
        var (url, _, _) = await SessionAsync(host, "{}");
        using var opened = await GetAsync(host, url, cookie: null);
        var cookie = opened.Headers.GetValues("Set-Cookie").Single();

        var form = await (await GetAsync(host, "/connect/apps/loopback_service", cookie)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var refused = await PostAsync(host, "/connect/apps/loopback_service/keys", cookie, ("field.client_email", "robot@loopback.example"), ("field.private_key", NotAKey));
        var refusedHtml = await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("<textarea id=\"f-field-private_key\" name=\"field.private_key\"", form, StringComparison.Ordinal);
        Assert.Contains("Service account key", await (await GetAsync(host, "/connect?q=loopback", cookie)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("Private key could not be read", refusedHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("bm90IGEga2V5", refusedHtml, StringComparison.Ordinal);
        Assert.Empty(await host.ListAsync());
    }

    [Fact]
    public async Task An_app_that_needs_a_setting_asks_for_it_refuses_one_that_leaves_its_hosts_and_signs_in_where_it_points()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithOAuthApp(app =>
        {
            var origin = new Uri(app.OAuth!.TokenUrl).GetLeftPart(UriPartial.Authority);
            return app with
            {
                Settings =
                [
                    new ConnectionSetting { Name = "tenant", Label = "Tenant", Pattern = "^[a-z0-9-]+$", HelpText = "The name in your sign-in address." },
                    new ConnectionSetting { Name = "region", Label = "Region", Choices = ["eu", "us"], Default = "us" },
                ],
                OAuth = app.OAuth with { AuthorizeUrl = origin + "/{{region}}/{{tenant}}/authorize", TokenUrl = origin + "/{{region}}/{{tenant}}/token" },
            };
        }).StartAsync();
        var (url, _, _) = await SessionAsync(host, "{}");
        using var opened = await GetAsync(host, url, cookie: null);
        var session = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        var page = await (await GetAsync(host, $"/connect/apps/{TestHost.OAuthSlug}", session)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var escaping = await PostAsync(host, $"/connect/apps/{TestHost.OAuthSlug}/oauth", session, ("setting.tenant", "evil.example/"), ("setting.region", "us"));
        var escapingHtml = await escaping.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var unknownRegion = await PostAsync(host, $"/connect/apps/{TestHost.OAuthSlug}/oauth", session, ("setting.tenant", "acme"), ("setting.region", "mars"));
        using var started = await PostAsync(host, $"/connect/apps/{TestHost.OAuthSlug}/oauth", session, ("setting.tenant", "acme"), ("setting.region", "eu"));

        Assert.Contains("name=\"setting.tenant\"", page, StringComparison.Ordinal);
        Assert.Contains("<option value=\"us\" selected>us</option>", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, escaping.StatusCode);
        Assert.Contains("Tenant does not have the expected format", escapingHtml, StringComparison.Ordinal);
        Assert.Contains("value=\"evil.example/\"", escapingHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownRegion.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.Contains("/eu/acme/authorize?", started.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth1_app_is_signed_in_with_through_its_request_token()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await OAuth1HostAsync(server);
        var (url, _, id) = await SessionAsync(host, "{}");
        using var opened = await GetAsync(host, url, cookie: null);
        var session = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        var app = await (await GetAsync(host, $"/connect/apps/{LoopbackOAuth1Server.Slug}", session)).Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        using var started = await PostAsync(host, $"/connect/apps/{LoopbackOAuth1Server.Slug}/oauth", session);
        var flow = started.Headers.GetValues("Set-Cookie").Single().Split(';')[0];
        using var consent = await Browser.GetAsync(started.Headers.Location!, TestContext.Current.CancellationToken);
        using var back = await GetAsync(host, consent.Headers.Location!.PathAndQuery, $"{session}; {flow}");
        var view = await host.Grains.GetGrain<IConnectSessionGrain>(id).GetAsync();

        Assert.Contains("Continue to Loopback OAuth1", app, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, started.StatusCode);
        Assert.StartsWith(new Uri(server.BaseAddress, "/oauth/authorize?oauth_token=").ToString(), started.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Equal(ConnectSessionStatus.Completed, view.Status);
        Assert.Equal(AuthType.OAuth1, Assert.Single(await host.ListAsync()).AuthType);
    }

    [Fact]
    public async Task An_oauth1_app_that_issues_no_request_token_is_said_on_the_page_and_nobody_is_sent_on()
    {
        await using var server = await LoopbackOAuth1Server.StartAsync();
        await using var host = await OAuth1HostAsync(server, "not-the-consumer-secret");
        var (url, _, id) = await SessionAsync(host, "{}");
        using var opened = await GetAsync(host, url, cookie: null);
        var session = opened.Headers.GetValues("Set-Cookie").Single().Split(';')[0];

        using var started = await PostAsync(host, $"/connect/apps/{LoopbackOAuth1Server.Slug}/oauth", session);
        var html = await started.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadGateway, started.StatusCode);
        Assert.Contains("Loopback OAuth1 did not issue a request token: the app answered HTTP 401 (signature_invalid).", html, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-consumer-secret", html, StringComparison.Ordinal);
        Assert.Equal(ConnectSessionStatus.Pending, (await host.Grains.GetGrain<IConnectSessionGrain>(id).GetAsync()).Status);
    }

    private static Task<TestHost> OAuth1HostAsync(LoopbackOAuth1Server server, string consumerSecret = LoopbackOAuth1Server.ConsumerSecret)
        => TestHost.Sqlite().With(s => server.AddTo(s, consumerSecret)).StartAsync();

    private static async Task<(string Url, string Token, string Id)> SessionAsync(TestHost host, string body)
    {
        var key = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
        {
            Name = "backend", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsWrite],
        })).Key;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connect/sessions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        var url = new Uri(json["url"]!.GetValue<string>());
        return (url.PathAndQuery, json["token"]!.GetValue<string>(), json["id"]!.GetValue<string>());
    }

    private static Task<HttpResponseMessage> GetAsync(TestHost host, string path, string? cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.Http.BaseAddress!, path));
        if (cookie is not null) request.Headers.Add("Cookie", cookie.Contains("; ", StringComparison.Ordinal) ? cookie : cookie.Split(';')[0]);
        return Browser.SendAsync(request, TestContext.Current.CancellationToken);
    }

    private static Task<HttpResponseMessage> PostAsync(TestHost host, string path, string cookie, params (string Name, string Value)[] form)
        => PostAsync(host, path, cookie, form, site: "same-origin");

    private static Task<HttpResponseMessage> PostAsync(TestHost host, string path, string cookie, (string Name, string Value)[] form, string site)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Http.BaseAddress!, path))
        {
            Content = new FormUrlEncodedContent(form.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))),
        };
        request.Headers.Add("Cookie", cookie.Split(';')[0]);
        request.Headers.Add("Sec-Fetch-Site", site);
        return Browser.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

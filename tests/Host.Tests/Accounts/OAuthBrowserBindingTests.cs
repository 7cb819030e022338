using System.Net;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// An OAuth flow belongs to the browser that opened it: a consent link that reaches anyone else connects nothing, and
/// callbacks nobody was issued cost nothing.
/// </summary>
public sealed class OAuthBrowserBindingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_consent_link_that_reaches_another_browser_connects_nothing_and_the_flow_stays_with_its_own()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();
        var started = await host.StartFlowAsync();
        var attacker = host.Browser;

        // A mail scanner's prefetch of the start page binds nothing; the person who started the flow presses the button.
        using (var prefetch = await Http.GetAsync(Here(host, started.Url), Ct)) Assert.Equal(HttpStatusCode.OK, prefetch.StatusCode);
        using var crossSite = await PressAsync(host, started.State, site: "cross-site");
        using var otherOrigin = await PressAsync(host, started.State, site: null, origin: "https://evil.example");
        var opened = await attacker.OpenFlowAsync(started);
        using var secondBrowser = await PressAsync(host, started.State, site: "same-origin");
        using var previewAfter = await Http.GetAsync(Here(host, started.Url), Ct);

        // The consent link, mailed on: the victim consents and is sent to the callback without the flow's cookie.
        var victimRedirect = await host.Server!.AuthorizeAsUserAsync(opened.AuthorizeUrl, Ct);
        using var victim = await attacker.CallbackAsync(victimRedirect.Query, cookie: null);
        var other = await attacker.OpenFlowAsync(await host.StartFlowAsync());
        using var wrongCookie = await attacker.CallbackAsync(victimRedirect.Query, other.Cookie.Split('=')[0] + "=" + other.Cookie.Split('=', 2)[1]);
        using var swapped = await attacker.CallbackAsync(victimRedirect.Query, OAuthCookieOf(started.State) + "=" + other.Cookie.Split('=', 2)[1]);
        var pending = await host.Grains.OAuthFlow(started.State).GetViewAsync();

        // The browser that opened it finishes it.
        var ownRedirect = await host.Server.AuthorizeAsUserAsync(opened.AuthorizeUrl, Ct);
        using var own = await attacker.CallbackAsync(ownRedirect.Query, opened.Cookie);

        Assert.Equal(HttpStatusCode.Forbidden, crossSite.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, otherOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, secondBrowser.StatusCode);
        Assert.DoesNotContain(secondBrowser.Headers, h => h.Key == "Set-Cookie");
        Assert.Equal(HttpStatusCode.Gone, previewAfter.StatusCode);
        Assert.StartsWith("__Host-oauth-", opened.Cookie, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, victim.StatusCode);
        Assert.Contains("not started in this browser", await victim.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, wrongCookie.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, swapped.StatusCode);
        Assert.Equal(OAuthFlowStatus.Pending, pending.Status);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Contains(own.Headers.GetValues("Set-Cookie"), c => c.StartsWith(opened.Cookie.Split('=')[0] + "=;", StringComparison.Ordinal));
        Assert.Equal(1, host.Server.CodeExchanges);
        Assert.Single(await host.ListAsync());
    }

    [Fact]
    public async Task Made_up_callbacks_activate_no_flow_are_rate_limited_and_no_api_key_can_complete_one()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(s => s["Accounts:Api:BrowserRequestsPerMinute"] = "40").StartAsync();
        var started = await host.StartFlowAsync();
        var management = host.Grains.GetGrain<IManagementGrain>(0);
        var before = await FlowActivationsAsync(management);

        var answers = new List<(HttpStatusCode Status, bool RetryAfter)>();
        for (var i = 0; i < 50; i++)
        {
            var state = OAuthState.New();
            using var forged = await host.Browser.CallbackAsync($"state={state}&code=x", $"{OAuthCookieOf(state)}=k1.{Convert.ToBase64String(new byte[32])}");
            answers.Add((forged.StatusCode, forged.Headers.RetryAfter is not null));
        }
        var after = await FlowActivationsAsync(management);
        await using var admin = await host.ConnectClientAsync(host.Host.AdminKey);
        var denied = await Assert.ThrowsAsync<PermissionDeniedException>(() =>
            admin.Grains.OAuthBrowserFlow(started.State).CompleteAsync(new OAuthCallback("code", null, null, null)));
        var stillPending = await host.Grains.OAuthFlow(started.State).GetViewAsync();

        Assert.Equal(40, answers.Count(a => a.Status == HttpStatusCode.BadRequest));
        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.TooManyRequests && a.RetryAfter));
        Assert.Equal(before, after);
        Assert.Equal("service", denied.Needed);
        Assert.Equal(OAuthFlowStatus.Pending, stillPending.Status);
        Assert.Empty(host.Fake!.Requests);
    }

    [Fact]
    public async Task The_start_page_says_what_it_connects_and_where_as_text()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var started = await host.Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = TestHost.OAuthSlug, Nickname = "<b>Team</b>", Actor = "ops",
        });

        using var page = await Http.GetAsync(Here(host, started.Url), Ct);
        var html = await page.Content.ReadAsStringAsync(Ct);
        using var malformed = await Http.GetAsync(new Uri(host.Http.BaseAddress!, "/connect/oauth?flow=%3Cscript%3E"), Ct);
        using var unknown = await Http.GetAsync(new Uri(host.Http.BaseAddress!, "/connect/oauth?flow=" + OAuthState.New()), Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("ws_acme", html, StringComparison.Ordinal);
        Assert.Contains("&lt;b&gt;Team&lt;/b&gt;", html, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", page.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, unknown.StatusCode);
    }

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    private static Uri Here(TestHost host, string url) => new(host.Http.BaseAddress!, new Uri(url).PathAndQuery);

    private static string OAuthCookieOf(string state) => Connections.OAuthBrowserBinding.CookieName(state);

    private static Task<HttpResponseMessage> PressAsync(TestHost host, string state, string? site, string? origin = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host.Http.BaseAddress!, "/connect/oauth"))
        {
            Content = new FormUrlEncodedContent([new("flow", state)]),
        };
        if (site is not null) request.Headers.Add("Sec-Fetch-Site", site);
        if (origin is not null) request.Headers.Add("Origin", origin);
        return Http.SendAsync(request, Ct);
    }

    private static async Task<int> FlowActivationsAsync(IManagementGrain management)
        => (await management.GetSimpleGrainStatistics()).Where(s => s.GrainType.Contains("OAuthFlowGrain", StringComparison.Ordinal)).Sum(s => s.ActivationCount);
}

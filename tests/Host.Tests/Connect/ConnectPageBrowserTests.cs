using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;
using OpenQA.Selenium;

namespace Accounts.Orleans.Host.Tests.Connect;

/// <summary>The hosted connect page in a real headless Chromium, as an end user meets it.</summary>
public sealed class ConnectPageBrowserTests(Chromium chromium) : IClassFixture<Chromium>
{
    private const string Secret = "lk_fedcba9876543210fedc";
    private const string Markup = "<img src=x onerror=alert(1)>";

    [Fact]
    public async Task A_person_connects_a_key_account_by_keyboard_and_markup_in_a_nickname_shows_as_text()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp(Secret).StartAsync();
        await host.ConnectWithKeyAsync(Markup, key: Secret);
        var link = await LinkAsync(host);
        var driver = chromium.Driver;
        chromium.Width(1280);

        driver.Navigate().GoToUrl(link);
        var listed = driver.FindElement(By.TagName("h1")).Text;
        var cookieVisibleToScript = driver.Manage().Cookies.GetCookieNamed("__Host-connect") is { IsHttpOnly: false };
        var address = driver.Url;
        chromium.Press(driver.FindElement(By.Id("q")), "loopback");
        var found = driver.FindElements(By.CssSelector("ul.apps li")).Count;
        chromium.Press(driver.FindElement(By.PartialLinkText("Loopback Keys")));
        var existing = driver.FindElement(By.CssSelector("ul.accounts li span")).Text;
        var alert = Record.Exception(() => driver.SwitchTo().Alert());
        Screenshot(driver, 1280);
        chromium.Width(360);
        Screenshot(driver, 360);
        var overflows = true.Equals(driver.ExecuteScript("return document.documentElement.scrollWidth > window.innerWidth"));
        chromium.Width(1280);
        var apiKey = driver.FindElement(By.Id("f-field-api_key"));
        apiKey.SendKeys("not a key");
        var invalidAsTyped = true.Equals(driver.ExecuteScript("return !arguments[0].checkValidity()", apiKey));
        apiKey.Clear();
        driver.FindElement(By.Id("f-nickname")).SendKeys("Billing");
        chromium.Press(apiKey, Secret);
        var result = driver.FindElement(By.TagName("h1")).Text;
        var page = driver.PageSource;

        Assert.Equal("Connect an account", listed);
        Assert.False(cookieVisibleToScript);
        Assert.DoesNotContain("token=", address, StringComparison.Ordinal);
        Assert.Equal(1, found);
        Assert.Equal(Markup, existing);
        Assert.IsType<NoAlertPresentException>(alert);
        Assert.False(overflows, "the page is wider than a 360 px screen");
        Assert.True(invalidAsTyped, "the browser did not check the field's rule as typed");
        Assert.Equal("Connected", result);
        Assert.DoesNotContain(Secret, page, StringComparison.Ordinal);
        Assert.Contains(await host.ListAsync(), a => a.Nickname == "Billing");
    }

    [Fact]
    public async Task A_spent_or_tampered_link_says_so_in_words()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp(Secret).StartAsync();
        var link = await LinkAsync(host);
        var driver = chromium.Driver;
        chromium.Width(1280);

        driver.Navigate().GoToUrl(link[..^1] + (link[^1] == 'A' ? 'B' : 'A'));
        var tampered = driver.FindElement(By.TagName("h1")).Text;
        driver.Navigate().GoToUrl(link);
        chromium.Press(driver.FindElement(By.Id("q")), "loopback");
        chromium.Press(driver.FindElement(By.PartialLinkText("Loopback Keys")));
        chromium.Press(driver.FindElement(By.Id("f-field-api_key")), Secret);
        driver.Navigate().GoToUrl(link);
        var spent = driver.FindElement(By.TagName("h1")).Text;

        Assert.Equal("This link is not valid", tampered);
        Assert.Equal("This link was already used", spent);
    }

    [Fact]
    public async Task A_person_connects_an_oauth_account_at_the_authorization_server_and_is_sent_back_with_its_id()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().ReachableByBrowser()
            .With(s => s["Accounts:Connections:ConnectRedirectOrigins:0"] = Origin(s["Accounts:Connections:RedirectUri"]!)).StartAsync();
        var back = Origin(host.Settings["Accounts:Connections:RedirectUri"]!) + "/back-in-the-product";
        var (link, session) = await SessionAsync(host, $$"""{ "apps": ["{{TestHost.OAuthSlug}}"], "successRedirectUrl": "{{back}}" }""");
        var driver = chromium.Driver;
        chromium.Width(1280);

        driver.Navigate().GoToUrl(link);
        chromium.Press(driver.FindElement(By.PartialLinkText("Loopback OAuth")));
        var button = driver.FindElement(By.CssSelector("form[action$='/oauth'] button"));
        var label = button.Text;
        button.SendKeys(Keys.Enter);
        new OpenQA.Selenium.Support.UI.WebDriverWait(driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.StartsWith(back, StringComparison.Ordinal));
        var landed = new Uri(driver.Url);
        var flowCookies = driver.Manage().Cookies.AllCookies.Where(c => c.Name.StartsWith("__Host-oauth-", StringComparison.Ordinal)).ToList();

        var account = Assert.Single(await host.ListAsync());
        var outcome = await host.Grains.GetGrain<IConnectSessionGrain>(session).GetAsync();
        Assert.Equal("Continue to Loopback OAuth", label);
        Assert.Equal($"?connect_session_id={session}&account_id={account.Id}", landed.Query);
        Assert.Equal(TestHost.OAuthSlug, account.AppSlug);
        Assert.Equal((ConnectSessionStatus.Completed, account.Id), (outcome.Status, outcome.AccountId));
        Assert.Equal(1, host.Server!.CodeExchanges);
        Assert.Empty(flowCookies);
    }

    [Fact]
    public async Task Reconnecting_through_the_page_keeps_the_account_and_its_links_and_says_the_identity_changed()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1", extra: new { user_id = "U111" }));
        var first = await host.StartFlowAsync();
        using (var connected = await host.CallbackAsync($"state={first.State}&code=c")) Assert.True(connected.IsSuccessStatusCode);
        var id = (await host.Grains.OAuthFlow(first.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, new WorkflowStep("wf_sync", "pull"));
        var (link, _) = await SessionAsync(host, $$"""{ "accountId": "{{id}}" }""");
        var driver = chromium.Driver;
        chromium.Width(1280);

        driver.Navigate().GoToUrl(link);
        var asks = driver.FindElement(By.CssSelector("main p")).Text;
        chromium.Press(driver.FindElement(By.PartialLinkText("Loopback OAuth")));
        var offersOthers = driver.FindElements(By.CssSelector("ul.accounts")).Count;
        chromium.Press(driver.FindElement(By.CssSelector("form[action$='/oauth'] button")));
        // The browser is now at the app's authorize page; the app sends it back with a code, as a consent would.
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(driver.Url).Query)["state"].ToString();
        host.Fake.Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2", extra: new { user_id = "U222" }));
        driver.Navigate().GoToUrl(new Uri(host.Http.BaseAddress!, $"/oauth/callback?state={state}&code=c2").ToString());
        var title = driver.FindElement(By.TagName("h1")).Text;
        var said = driver.FindElement(By.TagName("main")).Text;

        var account = Assert.Single(await host.ListAsync());
        Assert.Equal("Connect the account again to keep it working.", asks);
        Assert.Equal(0, offersOthers);
        Assert.Equal("Connected", title);
        Assert.Contains("reconnected", said, StringComparison.Ordinal);
        Assert.Contains("different", said, StringComparison.Ordinal);
        Assert.Equal(id, account.Id);
        Assert.Equal("U222", account.UpstreamIdentity);
        Assert.Single((await host.Account(id).GetAsync()).LinkedSteps);
    }

    [Fact]
    public async Task A_person_chooses_an_account_already_connected_an_app_outside_the_link_is_refused_and_an_old_link_has_expired()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithKeyApp(Secret).WithTime(time).StartAsync();
        var existing = await host.ConnectWithKeyAsync("Billing", key: Secret);
        var (link, session) = await SessionAsync(host, $$"""{ "apps": ["{{LoopbackKeyApp.Slug}}"] }""");
        var (expiring, _) = await SessionAsync(host, "{}");
        var driver = chromium.Driver;
        chromium.Width(1280);

        driver.Navigate().GoToUrl(link);
        driver.Navigate().GoToUrl(new Uri(host.Http.BaseAddress!, "/connect/apps/github").ToString());
        var outside = driver.FindElement(By.TagName("h1")).Text;
        driver.Navigate().GoToUrl(new Uri(host.Http.BaseAddress!, $"/connect/apps/{LoopbackKeyApp.Slug}").ToString());
        var offered = driver.FindElement(By.CssSelector("ul.accounts li span")).Text;
        chromium.Press(driver.FindElement(By.CssSelector("ul.accounts button")));
        var chosen = driver.FindElement(By.TagName("h1")).Text;
        time.Advance(ConnectSessionRequest.DefaultLifetime + TimeSpan.FromMinutes(1));
        driver.Navigate().GoToUrl(expiring);
        var expired = driver.FindElement(By.TagName("h1")).Text;

        var outcome = await host.Grains.GetGrain<IConnectSessionGrain>(session).GetAsync();
        Assert.Equal("App not offered", outside);
        Assert.Equal("Billing", offered);
        Assert.Equal("Connected", chosen);
        Assert.Equal((ConnectSessionStatus.Completed, existing.Id), (outcome.Status, outcome.AccountId));
        Assert.Single(await host.ListAsync());
        Assert.Equal("This link has expired", expired);
    }

    private static string Origin(string url) => new Uri(url).GetLeftPart(UriPartial.Authority);

    /// <summary>The committed pictures of the page (docs/), refreshed by each run into the test's output.</summary>
    private static void Screenshot(IWebDriver driver, int width)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(Path.Combine(folder, $"connect-page-{width}.png"));
    }

    private static async Task<string> LinkAsync(TestHost host) => (await SessionAsync(host, """{ "endUserId": "user-42" }""")).Link;

    /// <summary>A connect session made over REST by a backend's key, and the link it hands the person.</summary>
    private static async Task<(string Link, string Id)> SessionAsync(TestHost host, string body)
    {
        var key = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
        {
            Name = "backend-" + Guid.NewGuid().ToString("N")[..8], WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsWrite],
        })).Key;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connect/sessions")
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!;
        Assert.True(response.IsSuccessStatusCode, json.ToJsonString());
        var url = new Uri(json["url"]!.GetValue<string>());
        // The session's link names the Host's public address; the test Host may listen on a port of its own.
        return (new Uri(host.Http.BaseAddress!, url.PathAndQuery).ToString(), json["id"]!.GetValue<string>());
    }
}

using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Testing;
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
        driver.FindElement(By.Id("q")).SendKeys("loopback" + Keys.Enter);
        var found = driver.FindElements(By.CssSelector("ul.apps li")).Count;
        driver.FindElement(By.PartialLinkText("Loopback Keys")).SendKeys(Keys.Enter);
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
        apiKey.SendKeys(Secret + Keys.Enter);
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
        driver.FindElement(By.Id("q")).SendKeys("loopback" + Keys.Enter);
        driver.FindElement(By.PartialLinkText("Loopback Keys")).Click();
        driver.FindElement(By.Id("f-field-api_key")).SendKeys(Secret + Keys.Enter);
        driver.Navigate().GoToUrl(link);
        var spent = driver.FindElement(By.TagName("h1")).Text;

        Assert.Equal("This link is not valid", tampered);
        Assert.Equal("This link was already used", spent);
    }

    /// <summary>The committed pictures of the page (docs/), refreshed by each run into the test's output.</summary>
    private static void Screenshot(IWebDriver driver, int width)
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "screenshots");
        Directory.CreateDirectory(folder);
        ((ITakesScreenshot)driver).GetScreenshot().SaveAsFile(Path.Combine(folder, $"connect-page-{width}.png"));
    }

    private static async Task<string> LinkAsync(TestHost host)
    {
        var key = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest
        {
            Name = "backend", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsWrite],
        })).Key;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/connect/sessions")
        {
            Content = new StringContent("""{ "endUserId": "user-42" }""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var url = new Uri(JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken))!["url"]!.GetValue<string>());
        // The session's link names the Host's public address; the test Host listens on a port of its own.
        return new Uri(host.Http.BaseAddress!, url.PathAndQuery).ToString();
    }
}

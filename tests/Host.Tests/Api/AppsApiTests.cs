using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Host.Api;

namespace Accounts.Orleans.Host.Tests.Api;

public sealed class AppsApiTests(CatalogHostFixture fixture) : IClassFixture<CatalogHostFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task Paging_with_a_cursor_lists_every_enabled_app_once_in_slug_order()
    {
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await GetAsync<AppListView>($"/api/apps?limit=7{(cursor is null ? "" : "&cursor=" + cursor)}");
            Assert.InRange(page.Items.Count, 1, 7);
            seen.AddRange(page.Items.Select(a => a.Slug));
            cursor = page.Next;
        }
        while (cursor is not null);

        var expected = ShippedCatalog.ReadSeed().Where(a => !a.Disabled).Select(a => a.Slug).Order(StringComparer.Ordinal);
        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task A_fresh_host_serves_more_than_400_apps_in_one_page_of_1000()
    {
        var page = await GetAsync<AppListView>("/api/apps?limit=1000");

        Assert.True(page.Items.Count >= 400, $"only {page.Items.Count} apps");
        Assert.Null(page.Next);
        Assert.Contains(page.Items, a => a.AuthType == Contracts.Catalog.AuthType.OAuth2);
        Assert.Contains(page.Items, a => a.AuthType == Contracts.Catalog.AuthType.Keys);
    }

    [Fact]
    public async Task The_list_has_the_documented_shape_in_camel_case()
    {
        using var document = JsonDocument.Parse(await Http.GetStringAsync(new Uri("/api/apps?q=slack&auth=oauth2", UriKind.Relative), TestContext.Current.CancellationToken));
        var slack = document.RootElement.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("slug").GetString() == "slack");

        Assert.Equal("oauth2", slack.GetProperty("authType").GetString());
        var oauth = slack.GetProperty("oauth");
        Assert.StartsWith("https://", oauth.GetProperty("authorizeUrl").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("https://", oauth.GetProperty("tokenUrl").GetString(), StringComparison.Ordinal);
        Assert.True(oauth.TryGetProperty("revokeUrl", out _));
        Assert.Equal(JsonValueKind.Array, oauth.GetProperty("defaultScopes").ValueKind);
        Assert.True(oauth.GetProperty("clientConfigured").GetBoolean());
        Assert.Equal(JsonValueKind.Array, slack.GetProperty("fields").ValueKind);
        Assert.Equal(JsonValueKind.Array, slack.GetProperty("categories").ValueKind);
        Assert.True(document.RootElement.TryGetProperty("next", out _));
    }

    [Fact]
    public async Task Filters_by_auth_type_category_and_text()
    {
        var keys = await GetAsync<AppListView>("/api/apps?auth=keys&limit=1000");
        var ai = await GetAsync<AppListView>("/api/apps?category=ai&limit=1000");
        var text = await GetAsync<AppListView>("/api/apps?q=SendGrid");

        Assert.NotEmpty(keys.Items);
        Assert.All(keys.Items, a => Assert.Equal(Contracts.Catalog.AuthType.Keys, a.AuthType));
        Assert.All(keys.Items, a => Assert.Null(a.OAuth));
        Assert.NotEmpty(ai.Items);
        Assert.All(ai.Items, a => Assert.Contains("ai", a.Categories));
        Assert.Contains(text.Items, a => a.Slug == "sendgrid");
    }

    [Fact]
    public async Task One_app_by_slug_or_alias_and_404_for_an_unknown_one()
    {
        var byAlias = await GetAsync<AppDetailView>("/api/apps/outlook");
        using var missing = await Http.GetAsync(new Uri("/api/apps/no_such_app", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal("microsoft_outlook", byAlias.Slug);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_catalog_never_returns_an_oauth_client_secret()
    {
        var list = await Http.GetStringAsync(new Uri("/api/apps?limit=1000", UriKind.Relative), TestContext.Current.CancellationToken);
        var one = await Http.GetStringAsync(new Uri("/api/apps/slack", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.DoesNotContain(CatalogHostFixture.SlackClientSecret, list, StringComparison.Ordinal);
        Assert.DoesNotContain(CatalogHostFixture.SlackClientSecret, one, StringComparison.Ordinal);
        Assert.DoesNotContain("1234.5678", one, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("limit=5&limit=6", "limit")]
    [InlineData("auth=saml", "auth")]
    [InlineData("category=toasters", "category")]
    [InlineData("cursor=not-a-cursor!", "cursor")]
    [InlineData("cursor=YTE6U0xBQ0s", "cursor")]
    public async Task A_malformed_query_is_a_400_problem_naming_the_parameter(string query, string parameter)
    {
        using var response = await Http.GetAsync(new Uri("/api/apps?" + query, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(parameter, out _));
    }

    [Fact]
    public async Task An_over_long_search_text_is_a_400()
    {
        using var response = await Http.GetAsync(new Uri("/api/apps?q=" + new string('x', 201), UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Health_is_200_with_silo_and_storage_checks_when_both_are_up()
    {
        using var response = await Http.GetAsync(new Uri("/healthz", UriKind.Relative), TestContext.Current.CancellationToken);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("silo").GetProperty("status").GetString());
        Assert.Equal("healthy", body.RootElement.GetProperty("checks").GetProperty("storage").GetProperty("status").GetString());
    }

    private async Task<T> GetAsync<T>(string path)
        => (await Http.GetFromJsonAsync<T>(new Uri(path, UriKind.Relative), ApiJson.Options, TestContext.Current.CancellationToken))!;
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Api;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Api;

/// <summary>One Host for these tests; each test names its own app, so none depends on another's data.</summary>
public sealed class AppRequestsHostFixture : IAsyncLifetime
{
    public TestHost Host { get; private set; } = null!;

    // Every test here comes from 127.0.0.1; the limiter has its own test.
    public async ValueTask InitializeAsync()
        => Host = await TestHost.Sqlite().With(settings => settings["Accounts:Api:AppRequestsPerMinute"] = "100000").StartAsync();

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}

public sealed class AppRequestsApiTests(AppRequestsHostFixture fixture) : IClassFixture<AppRequestsHostFixture>
{
    private HttpClient Http => fixture.Host.Http;

    [Fact]
    public async Task A_new_request_is_201_with_id_status_and_one_vote()
    {
        var name = UniqueName();
        using var response = await SubmitAsync(new { name, url = $"https://{name}.example", reason = "we need it", requestedBy = "ana@example.com" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var request = await ReadAsync<AppRequestView>(response);
        Assert.StartsWith("req_", request.Id, StringComparison.Ordinal);
        Assert.Equal(name, request.Name);
        Assert.Equal(AppRequestStatus.Open, request.Status);
        Assert.Equal(1, request.Votes);
    }

    [Fact]
    public async Task The_same_app_by_name_or_by_domain_from_someone_else_folds_into_one_request_with_votes()
    {
        var name = UniqueName();
        using var created = await SubmitAsync(new { name, url = $"https://www.{name}.example/pricing", requestedBy = "ana@example.com" });
        var id = (await ReadAsync<AppRequestView>(created)).Id;

        using var byName = await SubmitAsync(new { name = name.ToUpperInvariant() + "!", requestedBy = "bo@example.com" });
        using var byDomain = await SubmitAsync(new { name = "Something Else Entirely " + name[^4..], url = $"https://{name}.example", requestedBy = "cy@example.com" });

        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
        Assert.Equal(HttpStatusCode.OK, byDomain.StatusCode);
        var folded = await ReadAsync<AppRequestView>(byDomain);
        Assert.Equal(id, folded.Id);
        Assert.Equal(3, folded.Votes);
        Assert.Single(await ListAsync(), r => r.Id == id);
    }

    [Fact]
    public async Task The_same_requester_again_changes_nothing()
    {
        var name = UniqueName();
        using var created = await SubmitAsync(new { name, requestedBy = "ana@example.com" });
        using var again = await SubmitAsync(new { name, requestedBy = "  ANA@example.com " });

        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(1, (await ReadAsync<AppRequestView>(again)).Votes);
    }

    [Fact]
    public async Task An_app_already_in_the_catalog_is_a_409_naming_its_slug()
    {
        using var byName = await SubmitAsync(new { name = "Google Sheets", requestedBy = "ana@example.com" });
        using var byDomain = await SubmitAsync(new { name = "Slack Technologies", url = "https://slack.com/", requestedBy = "ana@example.com" });

        Assert.Equal(HttpStatusCode.Conflict, byName.StatusCode);
        using var problem = JsonDocument.Parse(await byName.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("google_sheets", problem.RootElement.GetProperty("slug").GetString());
        Assert.Equal(HttpStatusCode.Conflict, byDomain.StatusCode);
        Assert.DoesNotContain(await ListAsync(), r => r.Name is "Google Sheets" or "Slack Technologies");
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"requestedBy":"a@example.com"}""", "name" },
        { """{"name":"   ","requestedBy":"a@example.com"}""", "name" },
        { $$"""{"name":"{{new string('n', 101)}}","requestedBy":"a@example.com"}""", "name" },
        { """{"name":"Bell\u0007App","requestedBy":"a@example.com"}""", "name" },
        { """{"name":"Valid Name","url":"ftp://files.example","requestedBy":"a@example.com"}""", "url" },
        { $$"""{"name":"Valid Name","url":"https://x.example/{{new string('p', 2048)}}","requestedBy":"a@example.com"}""", "url" },
        { $$"""{"name":"Valid Name","reason":"{{new string('r', 1001)}}","requestedBy":"a@example.com"}""", "reason" },
        { """{"name":"Valid Name"}""", "requestedBy" },
        { $$"""{"name":"Valid Name","requestedBy":"{{new string('q', 201)}}"}""", "requestedBy" },
    };

    [Theory, MemberData(nameof(InvalidBodies))]
    public async Task Invalid_or_over_long_fields_are_a_400_naming_the_field_and_change_nothing(string body, string field)
    {
        var before = await ListAsync();
        using var response = await PostRawAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out _));
        Assert.Equal(before.Count, (await ListAsync()).Count);
    }

    [Theory]
    [InlineData("{not json", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"X App","requestedBy":"a@example.com","votes":1000}""", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("[]", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("null", "application/json", HttpStatusCode.BadRequest)]
    [InlineData("name=X", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType)]
    public async Task A_body_that_is_not_the_expected_json_is_refused_with_a_problem(string body, string mediaType, HttpStatusCode expected)
    {
        using var response = await PostRawAsync(body, mediaType);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("""{"name":"Dup App A","name":"Dup App B","requestedBy":"a@example.com"}""")]
    [InlineData("""{"name":"Dup App C","requestedBy":"a@example.com","requestedBy":"b@example.com"}""")]
    [InlineData("""{"name":"Dup App D","requestedBy":"a@example.com","url":null,"url":"https://dup.example"}""")]
    public async Task A_body_with_a_member_given_twice_is_refused_and_creates_nothing(string body)
    {
        var before = await ListAsync();

        using var response = await PostRawAsync(body, "application/json");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before.Count, (await ListAsync()).Count);
        Assert.DoesNotContain(await ListAsync(), r => r.Name.StartsWith("Dup App", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_body_over_16_KiB_is_a_413()
    {
        using var response = await PostRawAsync($$"""{"name":"Big","reason":"{{new string('r', 20_000)}}","requestedBy":"a@example.com"}""", "application/json");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Listing_puts_most_votes_first_and_filters_by_status()
    {
        var popular = UniqueName();
        var quiet = UniqueName();
        (await SubmitAsync(new { name = quiet, requestedBy = "a@example.com" })).Dispose();
        foreach (var voter in new[] { "a", "b", "c" })
            (await SubmitAsync(new { name = popular, requestedBy = $"{voter}@example.com" })).Dispose();

        var all = await ListAsync();
        Assert.True(all.FindIndex(r => r.Name == popular) < all.FindIndex(r => r.Name == quiet));
        Assert.True(all.Select(r => r.Votes).SequenceEqual(all.Select(r => r.Votes).OrderDescending()));

        var id = all.Single(r => r.Name == quiet).Id;
        await fixture.Host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).TriageRequestAsync(id, AppRequestStatus.Declined, null, "ops", null);
        var declined = await fixture.Host.GetJsonAsync<AppRequestListView>("/api/app-requests?status=declined");
        Assert.Contains(declined.Items, r => r.Id == id);
        Assert.All(declined.Items, r => Assert.Equal(AppRequestStatus.Declined, r.Status));
        using var bad = await Http.GetAsync(new Uri("/api/app-requests?status=maybe", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task The_public_list_shows_no_requester_identities()
    {
        var name = UniqueName();
        (await SubmitAsync(new { name, reason = "private reason", requestedBy = "secret.person@example.com" })).Dispose();

        var raw = await Http.GetStringAsync(new Uri("/api/app-requests", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Contains(name, raw, StringComparison.Ordinal);
        Assert.DoesNotContain("secret.person@example.com", raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("cursor=bm90LW91cnM")]
    [InlineData("status=pending")]
    public async Task A_list_query_out_of_range_is_a_400_naming_the_parameter(string query)
    {
        using var response = await Http.GetAsync(new Uri("/api/app-requests?" + query, UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(query.Split('=')[0], await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_list_comes_a_page_at_a_time_and_a_search_narrows_it()
    {
        var name = UniqueName();
        for (var i = 0; i < 3; i++) (await SubmitAsync(new { name = $"{name} {i}", requestedBy = "pager@example.com" })).Dispose();

        var first = await fixture.Host.GetJsonAsync<AppRequestListView>($"/api/app-requests?q={name}&limit=2");
        var second = await fixture.Host.GetJsonAsync<AppRequestListView>($"/api/app-requests?q={name}&limit=2&cursor={first.Next}");

        Assert.Equal(2, first.Items.Count);
        Assert.NotNull(first.Next);
        Assert.Single(second.Items);
        Assert.Null(second.Next);
        Assert.Equal(3, first.Items.Concat(second.Items).Select(r => r.Id).Distinct().Count());
    }

    private static string UniqueName() => "app" + Guid.NewGuid().ToString("N")[..10];

    private Task<HttpResponseMessage> SubmitAsync(object body)
        => Http.PostAsJsonAsync(new Uri("/api/app-requests", UriKind.Relative), body, TestContext.Current.CancellationToken);

    private Task<HttpResponseMessage> PostRawAsync(string body, string mediaType)
        => Http.PostAsync(new Uri("/api/app-requests", UriKind.Relative), new StringContent(body, Encoding.UTF8, mediaType), TestContext.Current.CancellationToken);

    /// <summary>Every page of the list, in order.</summary>
    private async Task<List<AppRequestListItemView>> ListAsync()
    {
        var all = new List<AppRequestListItemView>();
        string? cursor = null;
        do
        {
            var page = await fixture.Host.GetJsonAsync<AppRequestListView>("/api/app-requests?limit=20" + (cursor is null ? "" : "&cursor=" + cursor));
            all.AddRange(page.Items);
            cursor = page.Next;
        }
        while (cursor is not null);
        return all;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
        => (await response.Content.ReadFromJsonAsync<T>(ApiJson.Options, TestContext.Current.CancellationToken))!;
}

public sealed class AppRequestRateLimitTests
{
    [Fact]
    public async Task One_requester_past_the_cap_gets_a_409_with_a_code_and_nothing_is_stored()
    {
        await using var host = await TestHost.Sqlite().With(s => s["Accounts:Catalog:MaxAppRequestsPerRequester"] = "2").StartAsync();
        async Task<HttpResponseMessage> AskAsync(string name) => await host.Http.PostAsJsonAsync(new Uri("/api/app-requests", UriKind.Relative),
            new { name, requestedBy = "eager@example.com" }, TestContext.Current.CancellationToken);
        (await AskAsync("Capped One")).Dispose();
        (await AskAsync("Capped Two")).Dispose();

        using var refused = await AskAsync("Capped Three");

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("app_request_requester_limit", problem.RootElement.GetProperty("code").GetString());
        Assert.Equal(2, problem.RootElement.GetProperty("max").GetInt32());
        var listed = await host.GetJsonAsync<AppRequestListView>("/api/app-requests");
        Assert.Equal(["Capped One", "Capped Two"], listed.Items.Select(r => r.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_flood_from_one_address_is_cut_off_with_429_and_retry_after()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? limited = null;
        for (var i = 0; i < 35; i++)
        {
            var response = await host.Http.PostAsJsonAsync(new Uri("/api/app-requests", UriKind.Relative),
                new { name = $"Flood App {i}", requestedBy = "bot@example.com" }, TestContext.Current.CancellationToken);
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) limited ??= response;
            else response.Dispose();
        }

        Assert.Equal(30, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(5, statuses.Count(s => s == HttpStatusCode.TooManyRequests));
        Assert.NotNull(limited);
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal("application/problem+json", limited.Content.Headers.ContentType?.MediaType);
        limited.Dispose();
    }
}

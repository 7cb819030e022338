using Accounts.Orleans.Testing.OAuth;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Interop;

public sealed class FakeTokenEndpointTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly HttpClient _http = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private FakeTokenEndpoint _endpoint = null!;

    public async ValueTask InitializeAsync() => _endpoint = await FakeTokenEndpoint.StartAsync(Ct);

    public async ValueTask DisposeAsync()
    {
        await _endpoint.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Token_answers_a_token_response_with_the_extra_fields()
    {
        _endpoint.Enqueue(FakeResponse.Token("at-1", expiresIn: 60, refreshToken: "rt-1", scope: "read", extra: new { id_token = "x", expires_in = 30 }));

        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("at-1", json.RootElement.GetProperty("access_token").GetString());
        Assert.Equal("Bearer", json.RootElement.GetProperty("token_type").GetString());
        Assert.Equal("rt-1", json.RootElement.GetProperty("refresh_token").GetString());
        Assert.Equal("read", json.RootElement.GetProperty("scope").GetString());
        Assert.Equal("x", json.RootElement.GetProperty("id_token").GetString());
        Assert.Equal(30, json.RootElement.GetProperty("expires_in").GetInt32());
    }

    [Fact]
    public async Task Token_without_optional_fields_leaves_them_out()
    {
        _endpoint.Enqueue(FakeResponse.Token("at-1", expiresIn: null));

        using var response = await PostRefreshAsync("rt-0");

        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.False(json.RootElement.TryGetProperty("expires_in", out _));
        Assert.False(json.RootElement.TryGetProperty("refresh_token", out _));
        Assert.False(json.RootElement.TryGetProperty("scope", out _));
    }

    [Fact]
    public async Task Error_answers_an_oauth_error_with_the_status()
    {
        _endpoint.Enqueue(FakeResponse.Error(400, "invalid_grant", "Token has been expired or revoked."));

        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("invalid_grant", json.RootElement.GetProperty("error").GetString());
        Assert.Equal("Token has been expired or revoked.", json.RootElement.GetProperty("error_description").GetString());
    }

    [Fact]
    public async Task Status_answers_the_status_body_and_retry_after()
    {
        _endpoint.Enqueue(FakeResponse.Status(429, "slow down", retryAfter: TimeSpan.FromSeconds(29.2)))
            .Enqueue(FakeResponse.Status(503))
            .Enqueue(FakeResponse.Status(500, "<h1>oops</h1>", "text/html"));

        using var limited = await PostRefreshAsync("rt-0");
        using var unavailable = await PostRefreshAsync("rt-0");
        using var broken = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), limited.Headers.RetryAfter?.Delta);
        Assert.Equal("slow down", await limited.Content.ReadAsStringAsync(Ct));
        Assert.Equal("text/plain", limited.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Null(unavailable.Headers.RetryAfter);
        Assert.Equal("", await unavailable.Content.ReadAsStringAsync(Ct));
        Assert.Equal(HttpStatusCode.InternalServerError, broken.StatusCode);
        Assert.Equal("text/html", broken.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Html200_answers_a_login_page()
    {
        _endpoint.Enqueue(FakeResponse.Html200());

        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<form", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Redirect_answers_a_302_to_the_location()
    {
        _endpoint.Enqueue(FakeResponse.Redirect("https://login.example.test/"));

        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        Assert.Equal(new Uri("https://login.example.test/"), response.Headers.Location);
    }

    [Fact]
    public async Task Huge_answers_a_json_like_body_of_exactly_that_size()
    {
        const int size = 5 * 1024 * 1024 + 7;
        _endpoint.Enqueue(FakeResponse.Huge(size));

        using var response = await PostRefreshAsync("rt-0");
        var body = await response.Content.ReadAsByteArrayAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size, response.Content.Headers.ContentLength);
        Assert.Equal(size, body.Length);
        Assert.StartsWith("{\"access_token\":\"aaa", Encoding.UTF8.GetString(body, 0, 20), StringComparison.Ordinal);
        Assert.Equal("\"}"u8.ToArray(), body[^2..]);
    }

    [Fact]
    public async Task Huge_body_can_be_abandoned_by_a_client_that_caps_the_size()
    {
        _endpoint.Enqueue(FakeResponse.Huge(20 * 1024 * 1024)).Enqueue(FakeResponse.Token("after"));
        using var capped = new HttpClient { MaxResponseContentBufferSize = 64 * 1024 };

        await Assert.ThrowsAsync<HttpRequestException>(() => capped.PostAsync(_endpoint.TokenUrl, RefreshForm("rt-0"), Ct));

        using var next = await PostRefreshAsync("rt-0");
        Assert.Contains("after", await next.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_answers_the_json_with_the_status()
    {
        _endpoint.Enqueue(FakeResponse.Json(200, """{"access_token":123}"""));

        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("""{"access_token":123}""", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task Answers_come_in_order_then_the_default()
    {
        _endpoint.Enqueue(FakeResponse.Status(500)).Enqueue(FakeResponse.Token("second"));
        _endpoint.DefaultResponse = FakeResponse.Error(400, "invalid_grant");

        using var first = await PostRefreshAsync("rt-0");
        using var second = await PostRefreshAsync("rt-0");
        using var third = await PostRefreshAsync("rt-0");
        using var fourth = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Contains("second", await second.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("invalid_grant", await third.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Contains("invalid_grant", await fourth.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, _endpoint.PendingResponses);
    }

    [Fact]
    public async Task The_default_answer_is_a_good_token()
    {
        using var response = await PostRefreshAsync("rt-0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("fake-access-token", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_are_recorded_with_method_path_headers_and_form()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _endpoint.TokenUrl) { Content = RefreshForm("rt-42") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "Y2xpZW50OnNlY3JldA==");
        using (await _http.SendAsync(request, Ct))
        {
        }
        using (await _http.PostAsync(_endpoint.RevokeUrl, new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = "rt-43" }), Ct))
        {
        }

        var recorded = _endpoint.Requests;
        Assert.Equal(2, recorded.Count);
        Assert.Equal("POST", recorded[0].Method);
        Assert.Equal("/token", recorded[0].Path);
        Assert.Equal("Basic Y2xpZW50OnNlY3JldA==", recorded[0].Header("authorization"));
        Assert.Equal("refresh_token", recorded[0].Form["grant_type"]);
        Assert.Equal("rt-42", recorded[0].Field("refresh_token"));
        Assert.Equal("/revoke", recorded[1].Path);
        Assert.Equal("rt-43", recorded[1].Field("token"));
        Assert.Null(recorded[1].Field("grant_type"));
    }

    [Fact]
    public async Task A_hang_is_cut_short_by_the_client_timeout_and_the_next_request_still_works()
    {
        _endpoint.Enqueue(FakeResponse.Hang(TimeSpan.FromMinutes(5))).Enqueue(FakeResponse.Token("after-hang"));
        using var impatient = new HttpClient();
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        var abandoned = impatient.PostAsync(_endpoint.TokenUrl, RefreshForm("rt-1"), giveUp.Token);
        // The client gives up only once the hang is being served: a request cancelled before it arrived (a busy machine)
        // would leave the hang queued for the next request instead.
        await Eventually.TrueAsync(() => _endpoint.AnswersInProgress == 1, TimeSpan.FromSeconds(30), "the hang being served");
        var clock = Stopwatch.StartNew();
        giveUp.CancelAfter(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => abandoned);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10));
        Assert.True(await AnswersEndAsync(), "The abandoned answer kept waiting after the client gave up.");

        using var next = await PostRefreshAsync("rt-2");
        Assert.Contains("after-hang", await next.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(["rt-1", "rt-2"], _endpoint.Requests.Select(r => r.Field("refresh_token")));
    }

    [Fact]
    public async Task A_short_hang_then_answers()
    {
        _endpoint.Enqueue(FakeResponse.Hang(TimeSpan.FromMilliseconds(200), FakeResponse.Token("late")))
            .Enqueue(FakeResponse.Hang(TimeSpan.FromMilliseconds(50)));

        using var late = await PostRefreshAsync("rt-1");
        using var timedOut = await PostRefreshAsync("rt-1");

        Assert.Contains("late", await late.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.GatewayTimeout, timedOut.StatusCode);
    }

    [Fact]
    public async Task Disposing_does_not_wait_for_a_hanging_answer()
    {
        var endpoint = await FakeTokenEndpoint.StartAsync(Ct);
        endpoint.Enqueue(FakeResponse.Hang(TimeSpan.FromMinutes(5)));
        var hanging = _http.PostAsync(endpoint.TokenUrl, RefreshForm("rt-1"), Ct);
        await Eventually.TrueAsync(() => endpoint.Requests.Count > 0, TimeSpan.FromSeconds(5), "the request to arrive");

        var clock = Stopwatch.StartNew();
        await endpoint.DisposeAsync();

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"Dispose took {clock.Elapsed}.");
        await Assert.ThrowsAsync<HttpRequestException>(() => hanging);
    }

    /// <summary>Whether the endpoint stops answering within a few seconds (Kestrel notices a closed connection asynchronously).</summary>
    private async Task<bool> AnswersEndAsync()
    {
        try
        {
            await Eventually.TrueAsync(() => _endpoint.AnswersInProgress == 0, TimeSpan.FromSeconds(5), "the answer to end");
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    private Task<HttpResponseMessage> PostRefreshAsync(string refreshToken) => _http.PostAsync(_endpoint.TokenUrl, RefreshForm(refreshToken), Ct);

    private static FormUrlEncodedContent RefreshForm(string refreshToken) =>
        new(new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken, ["client_id"] = "c" });
}

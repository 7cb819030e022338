using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>A token endpoint that misbehaves on purpose, and callbacks nobody should trust.</summary>
public sealed class OAuthFaultTests
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    /// <summary>Connects an account whose first access token is already due (valid for a minute, inside the 5-minute margin) and links the step.</summary>
    private static async Task<string> ConnectDueAccountAsync(TestHost host, string refreshToken = "refresh-1")
    {
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 60, refreshToken: refreshToken, scope: "read"));
        var started = await host.StartFlowAsync();
        using var page = await host.CallbackAsync($"state={started.State}&code=any-code");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var id = (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        return id;
    }

    private static int Refreshes(TestHost host) => host.Fake!.Requests.Count(r => r.Field("grant_type") == "refresh_token");

    [Fact]
    public async Task A_thousand_concurrent_reads_of_a_due_token_cause_exactly_one_refresh()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2") with { Delay = TimeSpan.FromMilliseconds(300) });

        var reads = await Task.WhenAll(Enumerable.Range(0, 1000).Select(_ => host.Account(id).GetCredentialsAsync(Read)));

        Assert.Equal(1, Refreshes(host));
        Assert.All(reads, r => Assert.Equal("access-2", r.AccessToken));
    }

    [Fact]
    public async Task A_rotated_refresh_token_is_used_next_time_and_an_answer_without_one_keeps_the_old()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host, refreshToken: "refresh-1");
        host.Fake!.Enqueue(FakeResponse.Token("access-2", expiresIn: 60, refreshToken: "refresh-2"))
            .Enqueue(FakeResponse.Token("access-3", expiresIn: 60))
            .Enqueue(FakeResponse.Token("access-4", expiresIn: 3600));

        foreach (var expected in new[] { "access-2", "access-3", "access-4" })
            Assert.Equal(expected, (await host.Account(id).GetCredentialsAsync(Read)).AccessToken);

        var sent = host.Fake.Requests.Where(r => r.Field("grant_type") == "refresh_token").Select(r => r.Field("refresh_token")).ToArray();
        Assert.Equal(["refresh-1", "refresh-2", "refresh-2"], sent);
    }

    [Theory]
    [InlineData("invalid_grant")]
    public async Task Invalid_grant_marks_the_account_needs_reconnect_at_once_without_retrying(string error)
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.Enqueue(FakeResponse.Error(400, error, "Token has been expired or revoked."));

        var first = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => host.Account(id).GetCredentialsAsync(Read));
        var again = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => host.Account(id).GetCredentialsAsync(Read));
        var summary = await host.Account(id).GetAsync();

        Assert.Equal(1, Refreshes(host));
        Assert.Equal(AccountHealth.NeedsReconnect, summary.Health);
        Assert.Contains("invalid_grant", summary.HealthReason, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", first.Reason, StringComparison.Ordinal);
        Assert.Equal(first.Reason, again.Reason);
    }

    [Fact]
    public async Task A_transient_failure_is_retried_and_the_next_answer_is_used()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.Enqueue(FakeResponse.Status(503)).Enqueue(FakeResponse.Token("access-2", expiresIn: 3600));

        var credentials = await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal("access-2", credentials.AccessToken);
        Assert.Equal(2, Refreshes(host));
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
    }

    public static TheoryData<string> BrokenAnswers => ["500", "html", "json-error-200", "missing-access-token", "redirect", "huge"];

    [Theory, MemberData(nameof(BrokenAnswers))]
    public async Task A_broken_answer_keeps_the_old_tokens_records_the_error_and_backs_off(string kind)
    {
        // The service's clock moves only when the test says: the back-off is jittered from zero up, so on the real clock a
        // slow moment between the two reads could outlast it and the second read would rightly try again.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(clock).StartAsync();
        var id = await ConnectDueAccountAsync(host);
        var answer = kind switch
        {
            "500" => FakeResponse.Status(500, "Internal Server Error"),
            "html" => FakeResponse.Html200(),
            "json-error-200" => FakeResponse.Json(200, """{"ok":false,"error":"ratelimited"}"""),
            "missing-access-token" => FakeResponse.Json(200, """{"token_type":"bearer","expires_in":3600}"""),
            "redirect" => FakeResponse.Redirect("https://evil.example/token"),
            _ => FakeResponse.Huge(200_000),
        };
        host.Fake!.DefaultResponse = answer;

        // The first access token is still valid for a moment: callers keep getting it while the app misbehaves. The read
        // retries within the call after short waits on the service's clock, which is moved along until it is done.
        var first = host.Account(id).GetCredentialsAsync(Read);
        while (!first.IsCompleted)
        {
            clock.Advance(TimeSpan.FromMilliseconds(100));
            await Task.WhenAny(first, Task.Delay(10, TestContext.Current.CancellationToken));
        }
        var credentials = await first;
        var calls = Refreshes(host);
        var again = await host.Account(id).GetCredentialsAsync(Read);
        var summary = await host.Account(id).GetAsync();

        Assert.Equal("access-1", credentials.AccessToken);
        Assert.Equal("access-1", again.AccessToken);
        Assert.Equal(calls, Refreshes(host));
        Assert.InRange(calls, 1, 3);
        Assert.Equal(AccountHealth.Degraded, summary.Health);
        Assert.False(string.IsNullOrEmpty(summary.HealthReason));
    }

    [Fact]
    public async Task A_429_with_a_long_retry_after_is_not_retried_within_the_call()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.DefaultResponse = FakeResponse.Status(429, retryAfter: TimeSpan.FromMinutes(2));

        await host.Account(id).GetCredentialsAsync(Read);
        await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal(1, Refreshes(host));
        Assert.Contains("429", (await host.Account(id).GetAsync()).HealthReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_back_off_after_a_failed_refresh_survives_a_restart_of_the_host()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.DefaultResponse = FakeResponse.Status(429, retryAfter: TimeSpan.FromMinutes(2));
        await host.Account(id).GetCredentialsAsync(Read);

        await host.RestartAsync();
        var credentials = await host.Account(id).GetCredentialsAsync(Read);
        await host.Host.Grains.GetGrain<Connections.Accounts.IAccountLifecycleGrain>(id).RefreshIfDueAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(1, Refreshes(host));
        Assert.Equal("access-1", credentials.AccessToken);
        Assert.Equal(AccountHealth.Degraded, (await host.Account(id).GetAsync()).Health);
    }

    [Fact]
    public async Task Reads_of_the_account_answer_while_a_refresh_of_it_waits_on_a_hanging_token_endpoint()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(settings => settings["Accounts:Connections:OutboundTimeout"] = "00:00:01").StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.DefaultResponse = FakeResponse.Hang(TimeSpan.FromSeconds(30));
        await using var client = await host.Host.ConnectClientAsync();
        var account = client.Grains.GetGrain<IConnectedAccountGrain>(id);

        var refresh = account.RefreshAsync("ops");
        await Eventually.TrueAsync(() => host.Fake.AnswersInProgress > 0, TimeSpan.FromSeconds(10), "the refresh to reach the app");
        var summary = account.GetAsync();
        var audit = client.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(id, 10);
        var first = await Task.WhenAny(summary, refresh);
        var second = await Task.WhenAny(audit, refresh);

        Assert.Same(summary, first);
        Assert.Same(audit, second);
        Assert.False(refresh.IsCompleted);
        Assert.Equal(id, (await summary).Id);
        Assert.NotEmpty(await audit);
        await Assert.ThrowsAsync<TokenRefreshFailedException>(() => refresh);
    }

    [Fact]
    public async Task A_hanging_token_endpoint_times_out_well_inside_the_grain_call()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(settings => settings["Accounts:Connections:OutboundTimeout"] = "00:00:00.500").StartAsync();
        var id = await ConnectDueAccountAsync(host);
        host.Fake!.DefaultResponse = FakeResponse.Hang(TimeSpan.FromSeconds(30));

        var credentials = await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal("access-1", credentials.AccessToken);
        Assert.Contains("in time", (await host.Account(id).GetAsync()).HealthReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_code_exchange_creates_no_account_and_says_why_on_the_page()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Error(400, "invalid_grant", "bad code"));
        var started = await host.StartFlowAsync();

        using var page = await host.CallbackAsync($"state={started.State}&code=stale");
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Contains("invalid_grant", html, StringComparison.Ordinal);
        Assert.Empty((await host.Host.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery())).Items);
    }

    [Fact]
    public async Task A_state_is_single_use_so_a_replayed_callback_is_refused_without_a_second_exchange()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var started = await host.StartFlowAsync();

        using var first = await host.CallbackAsync($"state={started.State}&code=one");
        using var replay = await host.CallbackAsync($"state={started.State}&code=one");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Contains("already completed", await replay.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
        Assert.Single(host.Fake!.Requests, r => r.Field("grant_type") == "authorization_code");
    }

    [Fact]
    public async Task A_pending_flow_survives_a_restart_and_an_expired_one_is_refused()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var started = await host.StartFlowAsync();
        await host.RestartAsync();

        using var page = await host.CallbackAsync($"state={started.State}&code=one");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var slow = await TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(clock).StartAsync();
        var inTime = await slow.StartFlowAsync();
        var expired = await slow.StartFlowAsync();
        clock.Advance(TimeSpan.FromMinutes(9));
        using var onTime = await slow.CallbackAsync($"state={inTime.State}&code=one");
        clock.Advance(TimeSpan.FromMinutes(2));
        using var late = await slow.CallbackAsync($"state={expired.State}&code=one");
        Assert.Equal(HttpStatusCode.OK, onTime.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, late.StatusCode);
        Assert.Contains("expired", await late.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> BadCallbacks => new()
    {
        { "", "not valid" },
        { "code=abc", "not valid" },
        { "state=short&code=abc", "not valid" },
        { "state=" + new string('A', 43) + "&code=abc", "not one we issued" },
        { "state=" + new string('A', 43) + "&state=" + new string('B', 43) + "&code=abc", "more than once" },
        { "state=" + new string('A', 43) + "&code=" + new string('c', 5000), "too long" },
    };

    [Theory, MemberData(nameof(BadCallbacks))]
    public async Task Malformed_unknown_or_oversized_callbacks_get_a_plain_400_page(string query, string message)
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();

        using var page = await host.CallbackAsync(query);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Empty(host.Fake!.Requests);
    }

    [Fact]
    public async Task An_access_denied_callback_shows_its_code_and_never_the_apps_words_and_spends_the_state()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var started = await host.StartFlowAsync();

        using var page = await host.CallbackAsync($"state={started.State}&error=access_denied&error_description={Uri.EscapeDataString("<script>alert(1)</script>\u0007")}");
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        using var retry = await host.CallbackAsync($"state={started.State}&code=late");

        Assert.Contains("did not grant access (access_denied)", html, StringComparison.Ordinal);
        Assert.DoesNotContain("script", html, StringComparison.Ordinal);
        Assert.DoesNotContain("alert(1)", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, retry.StatusCode);
        Assert.Empty(host.Fake!.Requests);
    }
}

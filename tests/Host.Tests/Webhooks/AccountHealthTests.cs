using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Webhooks;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Webhooks;

/// <summary>Health with hysteresis, driven by a misbehaving app on fake time, as the owner's webhook endpoint hears it.</summary>
public sealed class AccountHealthTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly WorkflowStep Step = new("wf_health", "read");

    private static async Task<(WebhookReceiver Receiver, TestHost Host, FakeTimeProvider Clock)> StartAsync(Func<TestHostBuilder, TestHostBuilder> app)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var receiver = await WebhookReceiver.StartAsync();
        var host = await app(TestHost.Sqlite()).WithTime(clock).With(s =>
        {
            s["Accounts:Connections:WebhookPollInterval"] = "00:00:00.100";
            s["Accounts:Connections:AllowLoopbackHttp"] = "true";
        }).StartAsync();
        var endpoint = await host.Grains.GetGrain<IWebhooksGrain>(0).CreateEndpointAsync(TestHost.Workspace, new WebhookEndpointSpec { Url = receiver.Url });
        receiver.Secrets.Add(endpoint.Secret);
        return (receiver, host, clock);
    }

    /// <summary>The event types received, in the order they happened: deliveries in flight together may arrive in any order.</summary>
    private static string[] Types(WebhookReceiver receiver)
        => [.. receiver.Deliveries.OrderBy(d => (string)d.Json["timestamp"]!, StringComparer.Ordinal).ThenBy(d => Order.IndexOf(d.Type)).Select(d => d.Type)];

    private static readonly List<string> Order = [.. WebhookEventTypes.All];

    [Fact]
    public async Task A_flapping_token_endpoint_yields_one_degraded_and_one_recovered_event()
    {
        var (receiver, host, clock) = await StartAsync(b => b.WithFakeTokenEndpoint());
        await using var _ = receiver;
        await using var __ = host;
        host.Fake!.Enqueue(FakeResponse.Token("access-0", expiresIn: 3600, refreshToken: "refresh-0"));
        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=any-code")) Assert.Equal(System.Net.HttpStatusCode.OK, page.StatusCode);
        var id = (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);

        // Five failures, each followed by a refresh that works, 11 s apart (past the "refresh now" cooldown).
        for (var flap = 1; flap <= 5; flap++)
        {
            host.Fake.Enqueue(FakeResponse.Status(429, retryAfter: TimeSpan.FromMinutes(2)));
            await Assert.ThrowsAsync<TokenRefreshFailedException>(() => host.Account(id).RefreshAsync("operator"));
            clock.Advance(TimeSpan.FromSeconds(11));
            host.Fake.Enqueue(FakeResponse.Token($"access-{flap}", expiresIn: 3600, refreshToken: $"refresh-{flap}"));
            await host.Account(id).RefreshAsync("operator");
            clock.Advance(TimeSpan.FromSeconds(11));
            var summary = await host.Account(id).GetAsync();
            Assert.Equal(AccountHealth.Degraded, summary.Health);
            Assert.Equal($"access-{flap}", (await host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId))).AccessToken);
        }

        // Quiet for the recovery period: the sweep lets it recover, once.
        clock.Advance(TimeSpan.FromMinutes(16));
        await Eventually.TrueAsync(async () => (await host.Account(id).GetAsync()).Health == AccountHealth.Healthy, Wait, "the account to recover");
        await Eventually.TrueAsync(() => Types(receiver).Contains(WebhookEventTypes.AccountRecovered), Wait, "account.recovered");
        clock.Advance(TimeSpan.FromMinutes(2));
        await Task.Delay(500, TestContext.Current.CancellationToken);

        Assert.Equal([WebhookEventTypes.AccountConnected, WebhookEventTypes.AccountDegraded, WebhookEventTypes.AccountRecovered], Types(receiver));
        Assert.All(receiver.Deliveries, d => Assert.True(d.Verified));
        var degraded = receiver.Deliveries.Single(d => d.Type == WebhookEventTypes.AccountDegraded);
        Assert.Equal(("degraded", id), ((string)degraded.Data["health"]!, (string)degraded.Data["account_id"]!));
        Assert.Contains("429", (string)degraded.Data["reason"]!, StringComparison.Ordinal);
        Assert.All(receiver.Deliveries, d => Assert.DoesNotContain("access-", d.Body, StringComparison.Ordinal));
        Assert.All(receiver.Deliveries, d => Assert.DoesNotContain("refresh-", d.Body, StringComparison.Ordinal));

        // A dead grant is needs_reconnect at once, announced once however often it is refused again.
        host.Fake.DefaultResponse = FakeResponse.Error(400, "invalid_grant");
        clock.Advance(TimeSpan.FromSeconds(11));
        await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => host.Account(id).RefreshAsync("operator"));
        clock.Advance(TimeSpan.FromSeconds(11));
        await Assert.ThrowsAnyAsync<AccountException>(() => host.Account(id).RefreshAsync("operator"));
        await Eventually.TrueAsync(() => Types(receiver).Contains(WebhookEventTypes.AccountNeedsReconnect), Wait, "account.needs_reconnect");
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Single(Types(receiver), t => t == WebhookEventTypes.AccountNeedsReconnect);
    }

    [Fact]
    public async Task Key_accounts_are_checked_at_the_app_now_and_then_so_a_revoked_key_shows_before_a_workflow_fails()
    {
        var (receiver, host, clock) = await StartAsync(b => b.WithKeyApp());
        await using var _ = receiver;
        await using var __ = host;
        var account = await host.ConnectWithKeyAsync();
        Assert.NotNull(account.NextCheckAt);
        Assert.InRange(account.NextCheckAt!.Value, clock.GetUtcNow(), clock.GetUtcNow() + TimeSpan.FromHours(6));
        var calls = host.KeyApp!.Calls;

        // The check runs within the interval and finds the key good: nothing to announce.
        clock.Advance(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => (await host.Account(account.Id).GetAsync()).LastCheckedAt is not null, Wait, "the first check");
        Assert.Equal(calls + 1, host.KeyApp.Calls);

        // The app is down at the next check: degraded, and workflows still get the keys.
        host.KeyApp.FailWith = 503;
        clock.Advance(TimeSpan.FromHours(7));
        await Eventually.TrueAsync(async () => (await host.Account(account.Id).GetAsync()).Health == AccountHealth.Degraded, Wait, "degraded after a 503");

        // The key is revoked at the app: the next check says so.
        host.KeyApp.FailWith = null;
        host.KeyApp.ValidKey = "lk_revoked0000000000000";
        clock.Advance(TimeSpan.FromHours(7));
        await Eventually.TrueAsync(async () => (await host.Account(account.Id).GetAsync()).Health == AccountHealth.NeedsReconnect, Wait, "needs_reconnect after a 401");
        await Eventually.TrueAsync(() => Types(receiver).Contains(WebhookEventTypes.AccountNeedsReconnect), Wait, "account.needs_reconnect");

        Assert.Equal([WebhookEventTypes.AccountConnected, WebhookEventTypes.AccountDegraded, WebhookEventTypes.AccountNeedsReconnect], Types(receiver));
        var summary = await host.Account(account.Id).GetAsync();
        Assert.Contains("HTTP 401", summary.HealthReason, StringComparison.Ordinal);
        Assert.DoesNotContain(TestHost.Key, summary.HealthReason, StringComparison.Ordinal);
        Assert.All(receiver.Deliveries, d => Assert.DoesNotContain(TestHost.Key, d.Body, StringComparison.Ordinal));
        var audit = await host.Directory.GetAuditAsync(account.Id, 20);
        Assert.Equal(3, audit.Count(e => e.Action == "keys_checked"));
    }

    [Fact]
    public async Task A_key_account_from_before_checks_were_on_gets_its_first_check_when_it_next_wakes()
    {
        var (receiver, host, clock) = await StartAsync(b => b.WithKeyApp().With(s => s["Accounts:Connections:KeyCheckInterval"] = "00:00:00"));
        await using var _ = receiver;
        await using var __ = host;
        var account = await host.ConnectWithKeyAsync();
        Assert.Null(account.NextCheckAt);

        host.Settings["Accounts:Connections:KeyCheckInterval"] = "06:00:00";
        await host.RestartAsync();
        await host.Account(account.Id).GetAsync();
        await Eventually.TrueAsync(async () => (await host.Account(account.Id).GetAsync()).NextCheckAt is not null, Wait, "a first check scheduled");
        var scheduled = (await host.Account(account.Id).GetAsync()).NextCheckAt!.Value;
        var calls = host.KeyApp!.Calls;
        clock.Advance(TimeSpan.FromHours(6) + TimeSpan.FromMinutes(1));
        await Eventually.TrueAsync(async () => (await host.Account(account.Id).GetAsync()).LastCheckedAt is not null, Wait, "the first check");

        Assert.InRange(scheduled, clock.GetUtcNow() - TimeSpan.FromHours(6) - TimeSpan.FromMinutes(1), clock.GetUtcNow());
        Assert.Equal(calls + 1, host.KeyApp.Calls);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(account.Id).GetAsync()).Health);
    }
}

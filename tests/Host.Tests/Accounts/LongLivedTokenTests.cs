using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// Apps whose code exchange gives an hour's token to be traded for a lasting one, which is then renewed with itself, not
/// with a refresh token (Instagram, Threads; Facebook trades only), against the fake token endpoint on fake time.
/// </summary>
public sealed class LongLivedTokenTests
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_first_token_is_traded_before_the_account_is_kept_and_the_lasting_one_is_renewed_with_itself_a_day_before_it_expires()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await HostAsync(clock, renews: true);
        host.Fake!.Enqueue(FakeResponse.Token("short-1", expiresIn: 3600));
        host.Fake.Enqueue(FakeResponse.Token("long-1", expiresIn: 60 * 86_400));
        host.Fake.Enqueue(FakeResponse.Token("long-2", expiresIn: 60 * 86_400));

        var id = await ConnectAsync(host);
        var first = await ReadAsync(host, id);
        clock.Advance(TimeSpan.FromDays(58.5));
        var stillFirst = await ReadAsync(host, id);
        clock.Advance(TimeSpan.FromDays(0.6));
        var renewed = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => ReadAsync(host, id)));

        Assert.Equal("long-1", first.AccessToken);
        Assert.Equal(Start.AddDays(60), first.ExpiresAt);
        Assert.Equal("long-1", stillFirst.AccessToken);
        Assert.All(renewed, r => Assert.Equal("long-2", r.AccessToken));
        var calls = host.Fake.Requests;
        Assert.Equal(["/token", "/exchange", "/renew"], calls.Select(r => r.Path));
        Assert.Equal(["GET", "GET"], calls.Skip(1).Select(r => r.Method));
        Assert.Equal("short-1", calls[1].QueryValue("access_token"));
        Assert.Equal(TestHost.OAuthClientSecret, calls[1].QueryValue("client_secret"));
        Assert.Equal("long-1", calls[2].QueryValue("access_token"));
        Assert.Null(calls[2].QueryValue("client_secret"));
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        Assert.DoesNotContain("long-2", stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_trade_keeps_nothing_and_a_lasting_token_without_renewal_asks_for_a_reconnect_when_it_expires()
    {
        var clock = new FakeTimeProvider(Start);
        await using var host = await HostAsync(clock, renews: false);
        host.Fake!.Enqueue(FakeResponse.Token("short-1", expiresIn: 3600));
        host.Fake.Enqueue(FakeResponse.Json(400, """{ "error": { "message": "Invalid OAuth access token.", "type": "OAuthException", "code": 190 } }"""));
        var started = await host.StartFlowAsync();
        using (var refusedPage = await host.CallbackAsync($"state={started.State}&code=c")) Assert.False(refusedPage.IsSuccessStatusCode);
        var refused = await host.Grains.OAuthFlow(started.State).GetViewAsync();

        host.Fake.Enqueue(FakeResponse.Token("short-2", expiresIn: 3600));
        host.Fake.Enqueue(FakeResponse.Token("long-2", expiresIn: 60 * 86_400));
        var id = await ConnectAsync(host);
        clock.Advance(TimeSpan.FromDays(61));
        var expired = await Record.ExceptionAsync(() => ReadAsync(host, id));

        Assert.Null(refused.AccountId);
        Assert.Single(await host.ListAsync());
        Assert.IsType<AccountNeedsReconnectException>(expired);
        // The code exchange, the refused trade, then a code exchange and a trade: nothing is sent once the token expired.
        Assert.Equal(["/token", "/exchange", "/token", "/exchange"], host.Fake.Requests.Select(r => r.Path));
    }

    private static async Task<string> ConnectAsync(TestHost host)
    {
        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        return id;
    }

    private static Task<CredentialBundle> ReadAsync(TestHost host, string id)
        => host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId));

    private static Task<TestHost> HostAsync(FakeTimeProvider clock, bool renews)
        => TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(clock).WithOAuthApp(app =>
        {
            var at = new Uri(app.OAuth!.TokenUrl);
            return app with
            {
                OAuth = app.OAuth with
                {
                    RefreshMarginSeconds = 86_400,
                    Exchange = new TokenCallSettings
                    {
                        Url = new Uri(at, "/exchange").ToString(),
                        Parameters = new Dictionary<string, string>
                        {
                            ["grant_type"] = "ig_exchange_token", ["client_secret"] = "{{client_secret}}", ["access_token"] = "{{access_token}}",
                        },
                    },
                    Renewal = renews
                        ? new TokenCallSettings
                        {
                            Url = new Uri(at, "/renew").ToString(),
                            Parameters = new Dictionary<string, string> { ["grant_type"] = "ig_refresh_token", ["access_token"] = "{{access_token}}" },
                        }
                        : null,
                },
            };
        }).StartAsync();
}

using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>An app that allows few token calls a minute, with many accounts coming due at once, on fake time.</summary>
public sealed class TokenBudgetTests
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task Due_accounts_refresh_within_the_apps_budget_keep_serving_working_tokens_and_an_expired_one_refreshes_at_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await TestHost.Sqlite().WithTime(clock).WithFakeTokenEndpoint()
            .WithOAuthApp(app => app with { OAuth = app.OAuth! with { TokenBudgetPerMinute = 3 } }).StartAsync();
        host.Fake!.DefaultResponse = FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1");
        var ids = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            var started = await host.StartFlowAsync();
            using (var page = await host.CallbackAsync($"state={started.State}&code=c{i}")) Assert.True(page.IsSuccessStatusCode);
            var id = (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
            await host.Account(id).LinkAsync(TestHost.Workspace, Step);
            ids.Add(id);
        }
        host.Fake.DefaultResponse = FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2");
        int Refreshes() => host.Fake.Requests.Count(r => r.Field("grant_type") == "refresh_token");

        // Four minutes left: every account is inside its refresh margin, none has expired.
        clock.Advance(TimeSpan.FromMinutes(56));
        await NudgeAllAsync(host, ids);
        var tokens = await ReadAllAsync(host, ids);
        var firstMinute = Refreshes();

        clock.Advance(TimeSpan.FromSeconds(61));
        await NudgeAllAsync(host, ids);
        var secondMinute = Refreshes();

        // Past expiry, whatever is left refreshes when read, budget or not.
        clock.Advance(TimeSpan.FromMinutes(5));
        var afterExpiry = await ReadAllAsync(host, ids);

        Assert.Equal(3, firstMinute);
        Assert.Equal(3, tokens.Count(t => t == "access-2"));
        Assert.Equal(5, tokens.Count(t => t == "access-1"));
        Assert.Equal(6, secondMinute);
        Assert.All(afterExpiry, t => Assert.Equal("access-2", t));
        Assert.Equal(8, Refreshes());
    }

    private static async Task NudgeAllAsync(TestHost host, IEnumerable<string> ids)
    {
        foreach (var id in ids) await host.Grains.GetGrain<IAccountLifecycleGrain>(id).RefreshIfDueAsync(TimeSpan.Zero);
    }

    private static async Task<List<string?>> ReadAllAsync(TestHost host, IEnumerable<string> ids)
    {
        var tokens = new List<string?>();
        foreach (var id in ids)
            tokens.Add((await host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId))).AccessToken);
        return tokens;
    }
}

using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Tests.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Faults;

/// <summary>
/// The silo running a refresh is killed while the app holds its answer: the app has rotated the refresh token and the
/// rotated one dies with the process. The next activation must notice, try the stored token once at once, and tell the
/// truth about what happened.
/// </summary>
public sealed class InterruptedRefreshTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task When_the_app_refuses_the_old_token_the_account_needs_reconnecting_because_a_rotation_was_lost()
    {
        var app = new RotatingRefreshTokens();
        var (id, spent, _) = await KillDuringRefreshAsync(app, async (client, accountId) =>
        {
            await Eventually.TrueAsync(async () => (await client.Grains.GetGrain<IConnectedAccountGrain>(accountId).GetAsync()).Health == AccountHealth.NeedsReconnect,
                Patience, "the account to need reconnecting");
            var summary = await client.Grains.GetGrain<IConnectedAccountGrain>(accountId).GetAsync();
            var refused = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => client.Grains.GetGrain<IConnectedAccountGrain>(accountId).GetCredentialsAsync(RotatingAccount.Read));
            return (summary, refused.Reason);
        });

        Assert.Equal([spent, spent], app.Presented);
        Assert.Equal(1, app.RevokedChains);
        Assert.Contains("did not finish", id.Summary.HealthReason, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", id.Summary.HealthReason, StringComparison.Ordinal);
        Assert.Equal(id.Summary.HealthReason, id.Reason);
    }

    [Fact]
    public async Task When_the_app_honours_a_reuse_window_the_account_recovers_with_the_rotated_tokens()
    {
        var app = new RotatingRefreshTokens { ReuseGrace = TimeSpan.FromMinutes(5) };
        var (result, spent, rotated) = await KillDuringRefreshAsync(app, async (client, accountId) =>
        {
            var account = client.Grains.GetGrain<IConnectedAccountGrain>(accountId);
            // Any call activates the account (the sweeper does for tokens that are due); this token is not.
            await account.GetAsync();
            await Eventually.TrueAsync(() => app.Refreshes == 2, Patience, "the next activation to retry the stored refresh token");
            await Eventually.TrueAsync(async () => (await account.GetAsync()).LastRefreshedAt is not null, Patience, "the recovered tokens to be stored");
            await account.RefreshAsync("ops");
            return (await account.GetAsync(), (await account.GetCredentialsAsync(RotatingAccount.Read)).AccessToken);
        });

        Assert.Equal([spent, spent, rotated], app.Presented);
        Assert.Equal(0, app.RevokedChains);
        Assert.Equal(AccountHealth.Healthy, result.Summary.Health);
        Assert.True(app.IsCurrentAccessToken(result.Reason!));
    }

    /// <summary>
    /// Connects an account on a Host process, starts a refresh that the app answers only after a minute, kills the
    /// process once the app has rotated the token, starts the Host again on the same data, then runs
    /// <paramref name="afterRestart"/> through a new client. Returns its result, the token the killed refresh presented,
    /// and the one the app rotated to.
    /// </summary>
    private static async Task<((AccountSummary Summary, string? Reason) Result, string Spent, string Rotated)> KillDuringRefreshAsync(
        RotatingRefreshTokens app, Func<ExternalClient, string, Task<(AccountSummary, string?)>> afterRestart)
    {
        await using var fake = await FakeTokenEndpoint.StartAsync(TestContext.Current.CancellationToken);
        fake.Rotation = app;
        var settings = new Dictionary<string, string?>
        {
            [$"Accounts:OAuthClients:{TestHost.OAuthSlug}:ClientId"] = TestHost.OAuthClientId,
            [$"Accounts:OAuthClients:{TestHost.OAuthSlug}:ClientSecret"] = TestHost.OAuthClientSecret,
            ["Accounts:Connections:RedirectUri"] = TestHost.RedirectUri,
        };
        TestCatalog.AddTo(settings, TestCatalog.OAuthApp(TestHost.OAuthSlug, new Uri(fake.TokenUrl, "/authorize"), fake.TokenUrl, fake.RevokeUrl,
            pkce: false, auth: Contracts.Catalog.TokenRequestAuth.ClientSecretPost));
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value!);

        string id, spent, rotated, workingDirectory;
        await using (var doomed = HostProcess.Start(environment))
        {
            workingDirectory = doomed.WorkingDirectory;
            await doomed.WaitHealthyAsync(Patience);
            await using var client = await ExternalClient.ConnectAsync(doomed.GatewayPort, doomed.ClientTls, doomed.AdminKey, cancellationToken: TestContext.Current.CancellationToken);
            var started = await client.Grains.GetGrain<IAccountConnectorGrain>(0).StartOAuthAsync(new OAuthStartRequest
            {
                WorkspaceId = TestHost.Workspace, AppSlug = TestHost.OAuthSlug, Nickname = "Rotating", Actor = "ops",
            });
            var browser = new HostBrowser(doomed.Http.BaseAddress!);
            var opened = await browser.OpenFlowAsync(started);
            using (var page = await browser.CallbackAsync($"state={started.State}&code=any", opened.Cookie))
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            id = (await client.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
            await client.Grains.GetGrain<IConnectedAccountGrain>(id).LinkAsync(TestHost.Workspace, RotatingAccount.Step);
            spent = app.NewestRefreshToken!;

            app.AnswerDelay = TimeSpan.FromMinutes(1);
            var refresh = client.Grains.GetGrain<IConnectedAccountGrain>(id).RefreshAsync("ops");
            await Eventually.TrueAsync(() => app.Refreshes == 1, Patience, "the refresh to reach the app");
            rotated = app.NewestRefreshToken!;
            doomed.Kill();
            // The call died with the silo; its client gives up on it in its own time.
            refresh.Ignore();
        }

        app.AnswerDelay = TimeSpan.Zero;
        await using var restarted = HostProcess.Start(environment, workingDirectory: workingDirectory);
        await restarted.WaitHealthyAsync(Patience);
        await using var again = await ExternalClient.ConnectAsync(restarted.GatewayPort, restarted.ClientTls, restarted.AdminKey, cancellationToken: TestContext.Current.CancellationToken);
        return (await afterRestart(again, id), spent, rotated);
    }
}

using System.Diagnostics;
using System.Text;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Tests.Storage;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using OpenTelemetry.Trace;

namespace Accounts.Orleans.Host.Tests.Accounts;

public sealed class TokenLifecycleTests(PostgresServer postgres)
{
    private static readonly WorkflowStep Step = new("wf_sync", "pull");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    private const string AccessCanary = "at-c4n4ry-91d2e7";
    private const string RefreshCanary = "rt-c4n4ry-5fa310";
    private const string RotatedCanary = "rt-c4n4ry-rotated-77";
    private const string CodeCanary = "code-c4n4ry-0d9e";

    [Fact]
    public async Task While_a_client_secret_rotation_overlaps_a_refused_secret_is_tried_again_with_the_next_one()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint()
            .With(s => s[$"Accounts:OAuthClients:{TestHost.OAuthSlug}:NextClientSecret"] = "next-client-secret").StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"))
            .Enqueue(FakeResponse.Error(401, "invalid_client"))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));
        var id = await ConnectAsync(host);

        await host.Account(id).RefreshAsync("ops");
        var credentials = await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal("access-2", credentials.AccessToken);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
        // The code exchange went through with the current secret alone; the next one was tried only once the app refused the client.
        Assert.Equal([TestHost.OAuthClientSecret, TestHost.OAuthClientSecret, "next-client-secret"], host.Fake.Requests.Select(r => r.Field("client_secret")));
    }

    [Fact]
    public async Task A_warm_read_of_a_valid_token_writes_nothing_and_calls_nobody()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var id = await ConnectAsync(host);
        await host.Account(id).GetCredentialsAsync(Read);
        var versionBefore = await StoredVersionAsync(host);
        var requestsBefore = host.Fake.Requests.Count;

        for (var i = 0; i < 200; i++) await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal(versionBefore, await StoredVersionAsync(host));
        Assert.Equal(requestsBefore, host.Fake.Requests.Count);
    }

    [Fact]
    public async Task Oauth_tokens_appear_in_no_stored_byte_log_line_or_span()
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(settings => settings["Logging:LogLevel:Default"] = "Trace").StartAsync();
        await host.StopHostAsync();
        await host.StartHostAsync(builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFakeLogging();
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        });
        host.Fake!.Enqueue(FakeResponse.Token(AccessCanary, expiresIn: 60, refreshToken: RefreshCanary))
            .Enqueue(FakeResponse.Token(AccessCanary + "-2", expiresIn: 3600, refreshToken: RotatedCanary))
            .Enqueue(FakeResponse.Error(400, "invalid_grant", $"refresh token {RotatedCanary} was revoked"));

        var id = await ConnectAsync(host, code: CodeCanary);
        var bundle = await host.Account(id).GetCredentialsAsync(Read);
        var error = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => host.Account(id).RefreshAsync("ops"));
        var logs = string.Join("\n", host.Host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Select(r => $"{r.Message} {r.Exception}"));
        host.Host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        var summary = await host.Account(id).GetAsync();
        // The exporter hears every Host in this process until ours stops; read the spans after that.
        await host.StopHostAsync();
        var refreshSpans = spans.Where(s => s.DisplayName == "token.refresh" && Equals(s.GetTagItem("accounts.account_id"), id)).ToList();
        var traced = string.Join("\n", spans.SelectMany(s => s.Tags.Select(t => $"{t.Key}={t.Value}")).Append(string.Join(" ", spans.Select(s => s.StatusDescription))));
        var stored = await StoredBytesAsync(host.Settings);

        Assert.Equal(AccessCanary + "-2", bundle.AccessToken);
        Assert.Equal(2, refreshSpans.Count);
        Assert.DoesNotContain(CodeCanary, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(CodeCanary, traced, StringComparison.Ordinal);
        foreach (var secret in new[] { AccessCanary, RefreshCanary, RotatedCanary })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, traced, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, error.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(secret, summary.ToString() + summary.HealthReason, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, bundle.ToString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_thousand_concurrent_reads_from_two_silos_cause_exactly_one_refresh()
    {
        var fake = await FakeTokenEndpoint.StartAsync(TestContext.Current.CancellationToken);
        await using var _ = fake;
        var settings = RunningHost.Postgres(await postgres.CreateDatabaseAsync(), clusterId: "refresh-storm");
        settings["Accounts:OAuthClients:loopback_oauth:ClientId"] = TestHost.OAuthClientId;
        settings["Accounts:OAuthClients:loopback_oauth:ClientSecret"] = TestHost.OAuthClientSecret;
        settings["Accounts:Connections:RedirectUri"] = TestHost.RedirectUri;
        TestCatalog.AddTo(settings, TestCatalog.OAuthApp(TestHost.OAuthSlug, new Uri(fake.TokenUrl, "/authorize"), fake.TokenUrl, fake.RevokeUrl,
            pkce: false, auth: Contracts.Catalog.TokenRequestAuth.ClientSecretPost));
        await using var first = await RunningHost.StartAsync(settings);
        await using var second = await RunningHost.StartAsync(settings);

        fake.Enqueue(FakeResponse.Token("access-1", expiresIn: 60, refreshToken: "refresh-1"));
        var started = await first.Grains.GetGrain<IAccountConnectorGrain>(0).StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = TestHost.OAuthSlug, Nickname = "Storm", Actor = "ops",
        });
        var completed = await second.Grains.OAuthBrowserFlow(started.State).CompleteAsync(new OAuthCallback("code", null, null, null));
        await first.Grains.GetGrain<IConnectedAccountGrain>(completed.AccountId).LinkAsync(TestHost.Workspace, Step);
        fake.Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2") with { Delay = TimeSpan.FromMilliseconds(300) });

        var reads = await Task.WhenAll(Enumerable.Range(0, 1000).Select(i =>
            (i % 2 == 0 ? first : second).Grains.GetGrain<IConnectedAccountGrain>(completed.AccountId).GetCredentialsAsync(Read)));

        Assert.Single(fake.Requests, r => r.Field("grant_type") == "refresh_token");
        Assert.All(reads, r => Assert.Equal("access-2", r.AccessToken));
    }

    [Fact]
    public async Task The_sweeper_refreshes_a_token_before_any_read_needs_it_and_counts_accounts_by_health()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(clock).StartAsync();
        using var gauge = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            host.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Contracts.Telemetry.TelemetryNames.Meter, "accounts.accounts");
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));
        var id = await ConnectAsync(host);

        bool Refreshed() => host.Fake.Requests.Any(r => r.Field("grant_type") == "refresh_token");
        bool Counted()
        {
            gauge.RecordObservableInstruments();
            return gauge.GetMeasurementSnapshot().Any(m => (string?)m.Tags["health"] == "healthy" && m.Value == 1);
        }
        clock.Advance(TimeSpan.FromMinutes(50));
        var early = Refreshed();
        clock.Advance(TimeSpan.FromMinutes(6));
        await Eventually.TrueAsync(() => Refreshed() && Counted(), TimeSpan.FromSeconds(10), "the sweeper to refresh the token and count the accounts by health");
        var summary = await host.Account(id).GetAsync();

        Assert.False(early, "The sweeper refreshed a token that was not due.");
        Assert.Equal(clock.GetUtcNow(), summary.LastRefreshedAt);
        Assert.Equal(clock.GetUtcNow().AddMinutes(55), summary.NextRefreshAt);
        Assert.Equal("access-2", (await host.Account(id).GetCredentialsAsync(Read)).AccessToken);
    }

    [Fact]
    public async Task On_a_storage_conflict_before_a_refresh_the_grain_rereads_and_presents_the_newer_stored_refresh_token()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var id = await ConnectAsync(host);
        await host.Account(id).GetCredentialsAsync(Read);

        // Another activation of the same account (after a partition) refreshes and stores its tokens first.
        await WriteBehindTheGrainAsync(host, id, new Connections.Accounts.AccountSecrets(new Dictionary<string, string>(), "access-other", "refresh-other", "Bearer"));

        host.Fake.Enqueue(FakeResponse.Token("access-mine", expiresIn: 3600, refreshToken: "refresh-mine"));
        await host.Account(id).RefreshAsync("ops");
        var credentials = await host.Account(id).GetCredentialsAsync(Read);

        Assert.Equal(["refresh-other"], host.Fake.Requests.Where(r => r.Field("grant_type") == "refresh_token").Select(r => r.Field("refresh_token")));
        Assert.Equal("access-mine", credentials.AccessToken);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task On_a_storage_conflict_after_a_refresh_newer_stored_credentials_win_and_otherwise_the_new_tokens_are_laid_on_top(bool otherWriterChangedCredentials)
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var id = await ConnectAsync(host);
        host.Fake.Enqueue(FakeResponse.Token("access-mine", expiresIn: 3600, refreshToken: "refresh-mine") with { Delay = TimeSpan.FromSeconds(1) });

        var refresh = host.Account(id).RefreshAsync("ops");
        await Eventually.TrueAsync(() => host.Fake.Requests.Count(r => r.Field("grant_type") == "refresh_token") == 1, TimeSpan.FromSeconds(10), "the refresh to reach the app");
        await WriteBehindTheGrainAsync(host, id, otherWriterChangedCredentials
            ? new Connections.Accounts.AccountSecrets(new Dictionary<string, string>(), "access-other", "refresh-other", "Bearer")
            : null);
        await refresh;
        var credentials = await host.Account(id).GetCredentialsAsync(Read);
        await host.RestartAsync();
        var afterRestart = await host.Account(id).GetCredentialsAsync(Read);

        var expected = otherWriterChangedCredentials ? "access-other" : "access-mine";
        Assert.Equal(expected, credentials.AccessToken);
        Assert.Equal(expected, afterRestart.AccessToken);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
    }

    /// <summary>Writes the account's stored state the way another activation would: new credentials, or only a newer version.</summary>
    private static async Task WriteBehindTheGrainAsync(TestHost host, string id, Connections.Accounts.AccountSecrets? secrets)
    {
        var storage = host.Host.Services.GetRequiredKeyedService<global::Orleans.Storage.IGrainStorage>(Contracts.Storage.StorageNames.Grains);
        var cipher = host.Host.Services.GetRequiredService<global::Accounts.Orleans.Vault.Envelopes.EnvelopeCipher>();
        var grainId = GrainId.Create("accounts.account", id);
        var stored = new GrainState<Connections.Accounts.ConnectedAccountState>();
        await storage.ReadStateAsync(Connections.Accounts.ConnectedAccountGrain.StateName, grainId, stored);
        Assert.NotNull(stored.State);
        if (secrets is not null)
        {
            stored.State.SealedSecrets = cipher.Seal(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(secrets), new global::Accounts.Orleans.Vault.Envelopes.CredentialBinding(TestHost.Workspace, id));
            stored.State.AccessTokenExpiresAt = DateTimeOffset.UtcNow.AddHours(1);
            stored.State.RefreshStartedAt = null;
        }
        await storage.WriteStateAsync(Connections.Accounts.ConnectedAccountGrain.StateName, grainId, stored);
    }

    [Fact]
    public async Task An_account_whose_token_is_due_and_not_yet_refreshed_reads_and_lists_as_expiring()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(clock).StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var due = await ConnectAsync(host);
        host.Fake.Enqueue(FakeResponse.Token("access-2", expiresIn: 7200, refreshToken: "refresh-2"));
        var fresh = await ConnectAsync(host);
        // Past the first token's refresh point; setting the clock fires no timer, so no sweep refreshes the token first.
        clock.AdjustTime(clock.GetUtcNow().AddMinutes(56));
        var directory = host.Host.Grains.GetGrain<IAccountDirectoryGrain>(0);

        var expiring = await directory.ListAsync(new AccountQuery { Health = AccountHealth.Expiring });
        var summary = await host.Account(due).GetAsync();
        await host.Account(due).GetCredentialsAsync(Read);
        var afterRefresh = await directory.ListAsync(new AccountQuery { Health = AccountHealth.Expiring });

        Assert.Equal([due], expiring.Items.Select(a => a.Id));
        Assert.All(expiring.Items, a => Assert.Equal(AccountHealth.Expiring, a.Health));
        Assert.Equal(AccountHealth.Expiring, summary.Health);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(fresh).GetAsync()).Health);
        Assert.Empty(afterRefresh.Items);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(due).GetAsync()).Health);
    }

    [Fact]
    public async Task A_hundred_refresh_now_calls_in_a_second_cost_the_app_one_token_call()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithTime(time).StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var id = await ConnectAsync(host);
        host.Fake.DefaultResponse = FakeResponse.Token("access-2", expiresIn: 3600);

        await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => host.Account(id).RefreshAsync("ops")));
        var burst = host.Fake.Requests.Count(r => r.Field("grant_type") == "refresh_token");
        time.Advance(TimeSpan.FromSeconds(11));
        await host.Account(id).RefreshAsync("ops");
        var later = host.Fake.Requests.Count(r => r.Field("grant_type") == "refresh_token");

        Assert.Equal(1, burst);
        Assert.Equal(2, later);
        Assert.Equal("access-2", (await host.Account(id).GetCredentialsAsync(Read)).AccessToken);
    }

    [Fact]
    public async Task A_reconnect_to_a_different_upstream_identity_keeps_the_account_and_warns()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1", extra: new { user_id = "U111" }));
        var id = await ConnectAsync(host);
        host.Fake.Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2", extra: new { user_id = "U222" }));

        var started = await host.StartFlowAsync(reconnect: id);
        using var page = await host.CallbackAsync($"state={started.State}&code=c");
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        var view = await host.Host.Grains.OAuthFlow(started.State).GetViewAsync();

        Assert.Equal(id, view.AccountId);
        Assert.Contains("U222", view.Message, StringComparison.Ordinal);
        Assert.Contains("different", html, StringComparison.Ordinal);
        Assert.Equal("U222", (await host.Account(id).GetAsync()).UpstreamIdentity);
        Assert.Equal("access-2", (await host.Account(id).GetCredentialsAsync(Read)).AccessToken);
    }

    [Fact]
    public async Task A_token_endpoint_moved_in_the_catalog_gets_no_token_and_the_account_asks_to_be_reconnected()
    {
        await using var elsewhere = await FakeTokenEndpoint.StartAsync(TestContext.Current.CancellationToken);
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: RefreshCanary));
        var id = await ConnectAsync(host);
        var app = (await host.Grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(TestHost.OAuthSlug))!;
        await host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).UpsertAppAsync(
            app with { OAuth = app.OAuth! with { TokenUrl = elsewhere.TokenUrl.ToString(), RevokeUrl = elsewhere.RevokeUrl.ToString() } }, "ops");
        // A new activation reads the changed app; the one that connected still held the old definition.
        await host.RestartAsync();

        var refused = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => host.Account(id).RefreshAsync("ops"));
        var summary = await host.Account(id).GetAsync();
        await host.Account(id).DeleteAsync(force: true, "ops");

        Assert.Empty(elsewhere.Requests);
        Assert.DoesNotContain(host.Fake.Requests, r => r.Field("grant_type") == "refresh_token");
        Assert.Equal(AccountHealth.NeedsReconnect, summary.Health);
        Assert.Contains($"moved from {host.Fake.TokenUrl.GetLeftPart(UriPartial.Authority)} to {elsewhere.TokenUrl.GetLeftPart(UriPartial.Authority)}", refused.Reason, StringComparison.Ordinal);
        Assert.Equal(refused.Reason, summary.HealthReason);
    }

    private static async Task<string> ConnectAsync(TestHost host, string code = "c")
    {
        var started = await host.StartFlowAsync();
        using var page = await host.CallbackAsync($"state={started.State}&code={code}");
        Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        return id;
    }

    private static async Task<long> StoredVersionAsync(TestHost host)
    {
        var storage = host.Host.Services.GetRequiredService<StorageOptions>();
        await using var database = new AccountsDatabase(storage);
        return await SchemaMigrationTests.CountAsync(database, "SELECT SUM(version) FROM accounts_grain_state");
    }

    private static async Task<string> StoredBytesAsync(Dictionary<string, string?> settings)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var text = new StringBuilder();
        foreach (var file in Directory.GetFiles(settings["Accounts:Storage:DataDirectory"]!).Where(f => !f.EndsWith("master-keys.json", StringComparison.Ordinal)))
            text.Append(Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken)));
        return text.ToString();
    }
}

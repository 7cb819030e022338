using System.Globalization;
using System.Text.Json;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Webhooks;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>An OAuth client secret's recorded expiry is announced to the workspaces that use the app, once per threshold.</summary>
public sealed class ClientSecretWatchTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task Workspaces_with_accounts_of_the_app_hear_30_then_7_days_ahead_and_never_twice(StorageEngine engine)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var expires = clock.GetUtcNow().AddDays(20);
        await using var host = await TestHost.On(engine, postgres).WithFakeTokenEndpoint().WithKeyApp().WithTime(clock)
            .With(s =>
            {
                s[$"Accounts:OAuthClients:{TestHost.OAuthSlug}:ClientSecretExpiresAt"] = expires.ToString("O", CultureInfo.InvariantCulture);
                // The outbox keeps delivered events for this long: long enough here to read every one back after the clock moved.
                s["Accounts:Connections:WebhookRetention"] = "365.00:00:00";
            })
            .StartAsync();
        await ConnectAsync(host, "ws_a");
        await ConnectAsync(host, "ws_a");
        await ConnectAsync(host, "ws_b");
        await host.Account(await ConnectAsync(host, "ws_gone")).DeleteAsync(force: true, "ops@example.com");
        await host.ConnectWithKeyAsync(workspace: "ws_keys_only");

        await Watch(host).CheckAsync();
        var first = await ExpiringEventsAsync(host);
        var listed = Assert.Single(await host.Clients.ListAsync());
        clock.Advance(TimeSpan.FromDays(15));
        await Watch(host).CheckAsync();
        var second = await ExpiringEventsAsync(host);
        await host.RestartAsync();
        await Watch(host).CheckAsync();
        clock.Advance(TimeSpan.FromDays(1));
        await Watch(host).CheckAsync();
        var afterRestart = await ExpiringEventsAsync(host);

        Assert.Equal((expires, OAuthClientSecretWarning.Within30Days), (listed.SecretExpiresAt, listed.SecretWarning));
        Assert.Equal([("ws_a", "30d", "20"), ("ws_b", "30d", "20")], first.Select(e => (e.Workspace, e.Data["threshold"], e.Data["days_left"])));
        Assert.All(first, e => Assert.Equal(
            (TestHost.OAuthSlug, TestHost.OAuthClientId, "2026-12-21T09:00:00Z"),
            (e.Data["app"], e.Data["client_id"], e.Data["expires_at"])));
        Assert.Equal([("ws_a", "30d"), ("ws_a", "7d"), ("ws_b", "30d"), ("ws_b", "7d")], second.Select(e => (e.Workspace, e.Data["threshold"])).Order());
        Assert.All(second.Where(e => e.Data["threshold"] == "7d"), e => Assert.Equal("5", e.Data["days_left"]));
        Assert.Equal(second.Select(e => e.Id), afterRestart.Select(e => e.Id));
        Assert.All(afterRestart, e => Assert.DoesNotContain(TestHost.OAuthClientSecret, e.Payload, StringComparison.Ordinal));
    }

    private static ClientSecretWatch Watch(TestHost host) => host.Host.Services.GetRequiredService<ClientSecretWatch>();

    private static async Task<string> ConnectAsync(TestHost host, string workspace)
    {
        host.Fake!.Enqueue(FakeResponse.Token("access", expiresIn: 3600, refreshToken: "refresh"));
        var started = await host.StartFlowAsync(workspace: workspace);
        using var page = await host.CallbackAsync($"state={started.State}&code=c");
        Assert.True(page.IsSuccessStatusCode);
        return (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
    }

    private sealed record ExpiringEvent(string Id, string Workspace, string Payload)
    {
        public Dictionary<string, string> Data { get; } = JsonDocument.Parse(Payload).RootElement.GetProperty("data").EnumerateObject()
            .ToDictionary(p => p.Name, p => p.Value.GetString()!, StringComparer.Ordinal);
    }

    /// <summary>The outbox's <c>oauth_client.expiring</c> rows, by workspace and then in the order they were appended.</summary>
    private static async Task<List<ExpiringEvent>> ExpiringEventsAsync(TestHost host)
    {
        var ct = TestContext.Current.CancellationToken;
        var database = host.Host.Services.GetRequiredService<AccountsDatabase>();
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, workspace_id, payload FROM webhooks_events WHERE type = @type ORDER BY workspace_id, event_id;";
        command.AddParameter("type", WebhookEventTypes.OAuthClientExpiring);
        var events = new List<ExpiringEvent>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) events.Add(new ExpiringEvent(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
        return events;
    }
}

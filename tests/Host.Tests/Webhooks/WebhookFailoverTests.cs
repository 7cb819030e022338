using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Webhooks;

/// <summary>Delivery from the outbox outlives the silo that was sending it: a two-silo PostgreSQL cluster loses one mid-send.</summary>
public sealed class WebhookFailoverTests(PostgresServer postgres)
{
    private const int Events = 40;
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Deliveries_a_killed_silo_was_sending_are_sent_by_the_other_and_every_event_arrives_with_its_id()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connectionString = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string>
        {
            ["Accounts__Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Accounts"] = connectionString,
            ["Accounts__Cluster__ClusterId"] = "webhooks",
            ["Accounts__Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Accounts__Vault__KeyRingFile"] = RunningHost.KeyRingFileFor(connectionString),
            ["Accounts__Connections__AllowLoopbackHttp"] = "true",
            ["Accounts__Connections__WebhookTimeout"] = "00:00:03",
            ["Accounts__Connections__WebhookPollInterval"] = "00:00:00.200",
        };
        await using var first = HostProcess.Start(environment);
        await using var second = HostProcess.Start(environment);
        await Task.WhenAll(first.WaitHealthyAsync(StartTimeout), second.WaitHealthyAsync(StartTimeout));

        var created = await SendAsync(first, HttpMethod.Post, "/v1/webhooks/endpoints", new { url = receiver.Url, workspaceId = "ws_failover" });
        receiver.Secrets.Add((string)created!["secret"]!);
        var endpoint = (string)created["endpoint"]!["id"]!;
        var sent = new List<string>();
        for (var i = 0; i < Events; i++)
        {
            var host = i % 2 == 0 ? first : second;
            sent.Add((string)(await SendAsync(host, HttpMethod.Post, $"/v1/webhooks/endpoints/{endpoint}/ping?workspaceId=ws_failover", null))!["eventId"]!);
        }

        // Both silos are sending (each sends at most 4 at a time to one endpoint) when one of them dies.
        await Eventually.TrueAsync(() => receiver.Waiting > 4, TimeSpan.FromSeconds(30), "both silos to be sending");
        first.Kill();
        receiver.Gate.SetResult();

        await Eventually.TrueAsync(() => sent.All(id => receiver.Deliveries.Any(d => d.Id == id && d.AnsweredWith == 204)), TimeSpan.FromSeconds(90),
            "every event delivered by the surviving silo");
        Assert.All(receiver.Deliveries, d => Assert.True(d.Verified));
        Assert.Empty(receiver.Deliveries.Select(d => d.Id).Except(sent));
        TestContext.Current.TestOutputHelper?.WriteLine($"{Events} events, {receiver.Deliveries.Count} requests (repeats are sends the dead silo or a timeout left unanswered).");

        await Eventually.TrueAsync(async () =>
        {
            var page = await SendAsync(second, HttpMethod.Get, "/v1/webhooks/deliveries?workspaceId=ws_failover&status=delivered&limit=200", null);
            var items = page!["items"]!.AsArray();
            return items.Count == Events && items.All(d => (string?)d!["status"] == "delivered");
        }, TimeSpan.FromSeconds(30), "every delivery recorded as delivered");
    }

    private static async Task<JsonNode?> SendAsync(HostProcess host, HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", host.AdminKey);
        if (body is not null) request.Content = JsonContent.Create(body);
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text);
    }
}

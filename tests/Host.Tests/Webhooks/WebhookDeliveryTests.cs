using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Webhooks;
using Accounts.Orleans.Host.Tests.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Vault;
using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Webhooks;

/// <summary>Signed webhooks from the outbox to a receiver on loopback that checks every signature.</summary>
public sealed class WebhookDeliveryTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Waits until the dispatcher has stored a failed attempt and its next time. The receiver sees the attempt first: moving
    /// the clock before the failure is stored would put the next attempt after the time the test waits for.
    /// </summary>
    private static Task FailureRecordedAsync(TestHost host, int attempts)
        => Eventually.TrueAsync(async () => (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { WorkspaceId = TestHost.Workspace, Status = WebhookDeliveryStatus.Pending }))
            .Items.Any(d => d.Attempts == attempts), Wait, $"attempt {attempts}'s failure stored");

    private static TestHostBuilder Fast(TestHostBuilder builder, int maxAttempts = 8)
        => builder.With(s =>
        {
            s["Accounts:Connections:WebhookPollInterval"] = "00:00:00.100";
            s["Accounts:Connections:AllowLoopbackHttp"] = "true";
            s["Accounts:Connections:WebhookMaxAttempts"] = maxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture);
        });

    private static IWebhooksGrain Webhooks(TestHost host) => host.Grains.GetGrain<IWebhooksGrain>(0);

    private static async Task<WebhookEndpointCreated> SubscribeAsync(TestHost host, WebhookReceiver receiver, params string[] events)
    {
        var created = await Webhooks(host).CreateEndpointAsync(TestHost.Workspace, new WebhookEndpointSpec { Url = receiver.Url, Events = events });
        receiver.Secrets.Add(created.Secret);
        return created;
    }

    private static Task ReceivedAsync(WebhookReceiver receiver, string type, int count = 1)
        => Eventually.TrueAsync(() => receiver.Deliveries.Count(d => d.Type == type) >= count, Wait, $"{count} {type} delivery(ies)");

    [Fact]
    public async Task Account_events_arrive_signed_with_ids_and_states_and_never_a_secret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await Fast(TestHost.Sqlite().WithKeyApp()).StartAsync();
        var endpoint = await SubscribeAsync(host, receiver);

        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).DeleteAsync(force: true, "operator");
        await ReceivedAsync(receiver, WebhookEventTypes.AccountDeleted);

        var connected = Assert.Single(receiver.Deliveries, d => d.Type == WebhookEventTypes.AccountConnected);
        Assert.True(connected.Verified);
        Assert.StartsWith("msg_", connected.Id);
        Assert.Equal(account.Id, (string)connected.Data["account_id"]!);
        Assert.Equal(TestHost.Workspace, (string)connected.Data["workspace_id"]!);
        Assert.Equal("healthy", (string)connected.Data["health"]!);
        Assert.Equal("deleted", (string)Assert.Single(receiver.Deliveries, d => d.Type == WebhookEventTypes.AccountDeleted).Data["health"]!);
        Assert.All(receiver.Deliveries, d => Assert.DoesNotContain(TestHost.Key, d.Body, StringComparison.Ordinal));
        Assert.All(receiver.Deliveries, d => Assert.InRange(long.Parse(d.Timestamp, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds()));

        // The signing secret is sealed like any credential: no stored byte holds it, in any encoding.
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        Assert.DoesNotContain(endpoint.Secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.Secret["whsec_".Length..], stored, StringComparison.Ordinal);
        Assert.DoesNotContain(endpoint.Secret, endpoint.ToString(), StringComparison.Ordinal);
        Assert.Equal(endpoint.Secret[^4..], (await Webhooks(host).ListEndpointsAsync(TestHost.Workspace)).Single().SecretHint);
    }

    [Fact]
    public async Task A_failing_receiver_gets_the_same_event_again_after_back_off_and_a_dead_delivery_can_be_sent_again()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = n => n <= 2 ? 500 : 204;
        await using var host = await Fast(TestHost.Sqlite().WithKeyApp().WithTime(clock), maxAttempts: 3).StartAsync();
        await SubscribeAsync(host, receiver, WebhookEventTypes.AccountConnected);

        await host.ConnectWithKeyAsync();
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 1, Wait, "the first attempt");
        await FailureRecordedAsync(host, attempts: 1);
        clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        Assert.Single(receiver.Deliveries);
        clock.Advance(TimeSpan.FromSeconds(3));
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 2, Wait, "the second attempt, 5-6 s later");
        await FailureRecordedAsync(host, attempts: 2);
        clock.Advance(TimeSpan.FromMinutes(7));
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 3, Wait, "the third attempt, 5-6 min later");

        Assert.Single(receiver.Deliveries.Select(d => d.Id).Distinct());
        Assert.All(receiver.Deliveries, d => Assert.True(d.Verified));
        var delivered = await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { WorkspaceId = TestHost.Workspace });
        var delivery = Assert.Single(delivered.Items);
        Assert.Equal((WebhookDeliveryStatus.Delivered, 3, 204), (delivery.Status, delivery.Attempts, delivery.LastStatus));

        // Three failures in a row: dead, listed as such, and sent again on request with the same id.
        receiver.Answer = _ => 503;
        await host.ConnectWithKeyAsync("Second");
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 4, Wait, "the second event's first attempt");
        await FailureRecordedAsync(host, attempts: 1);
        clock.Advance(TimeSpan.FromSeconds(7));
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 5, Wait, "its second attempt");
        await FailureRecordedAsync(host, attempts: 2);
        clock.Advance(TimeSpan.FromMinutes(7));
        await Eventually.TrueAsync(async () => (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { Status = WebhookDeliveryStatus.Dead })).Items.Count == 1, Wait, "a dead delivery");
        var dead = (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { Status = WebhookDeliveryStatus.Dead })).Items.Single();
        Assert.Equal((3, 503, "HTTP 503"), (dead.Attempts, dead.LastStatus, dead.LastError));

        receiver.Answer = _ => 200;
        var requeued = await Webhooks(host).RedeliverAsync(TestHost.Workspace, dead.Id);
        Assert.Equal(WebhookDeliveryStatus.Pending, requeued.Status);
        await Eventually.TrueAsync(() => receiver.Deliveries.Count == 7, Wait, "the redelivery");
        Assert.Equal(dead.EventId, receiver.Deliveries.Last().Id);
        await Eventually.TrueAsync(async () => (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { Status = WebhookDeliveryStatus.Dead })).Items.Count == 0, Wait, "no dead delivery left");
    }

    [Fact]
    public async Task A_rotated_secret_signs_beside_the_new_one_until_the_overlap_ends()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await Fast(TestHost.Sqlite().WithTime(clock)).StartAsync();
        var first = await SubscribeAsync(host, receiver);

        var rotated = await Webhooks(host).RotateSecretAsync(TestHost.Workspace, first.Endpoint.Id, TimeSpan.FromHours(1));
        Assert.NotEqual(first.Secret, rotated.Secret);
        await Webhooks(host).PingAsync(TestHost.Workspace, first.Endpoint.Id);
        await ReceivedAsync(receiver, WebhookEventTypes.Ping);
        var during = receiver.Deliveries.Last();
        Assert.Equal(2, during.Signature.Split(' ').Length);
        Assert.True(during.SignedWith(first.Secret));
        Assert.True(during.SignedWith(rotated.Secret));

        clock.Advance(TimeSpan.FromHours(2));
        await Webhooks(host).PingAsync(TestHost.Workspace, first.Endpoint.Id);
        await ReceivedAsync(receiver, WebhookEventTypes.Ping, 2);
        var after = receiver.Deliveries.Last();
        Assert.False(after.SignedWith(first.Secret));
        Assert.True(after.SignedWith(rotated.Secret));
        Assert.Null((await Webhooks(host).ListEndpointsAsync(TestHost.Workspace)).Single().PreviousSecretUntil);
    }

    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task Rotate_then_rewrap_moves_endpoint_secrets_so_the_old_master_key_can_be_retired(StorageEngine engine)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await Fast(TestHost.On(engine, postgres)).StartAsync();
        var first = await SubscribeAsync(host, receiver);
        var rotated = await Webhooks(host).RotateSecretAsync(TestHost.Workspace, first.Endpoint.Id, TimeSpan.FromHours(1));
        await host.StopHostAsync();
        var ringFile = host.Settings.GetValueOrDefault("Accounts:Vault:KeyRingFile")
                       ?? Path.Combine(host.Settings["Accounts:Storage:DataDirectory"]!, VaultOptions.DefaultFileName);
        Assert.Equal(0, VaultCommands.Run(["vault", "rotate", "--file", ringFile], TextWriter.Null, TextWriter.Null));

        await host.StartHostAsync();
        var report = await host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync("ops");
        var again = await host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync("ops");
        await host.StopHostAsync();
        var ring = KeyRingFile.Read(ringFile);
        KeyRingFile.Write(ringFile, new KeyRing([ring.Active], ring.Active.Id));
        await host.StartHostAsync();
        await Webhooks(host).PingAsync(TestHost.Workspace, first.Endpoint.Id);
        await ReceivedAsync(receiver, WebhookEventTypes.Ping);

        Assert.Equal((1, 0, 0), (report.Done, report.Skipped, report.Failed.Count));
        Assert.Equal((0, 1), (again.Done, again.Skipped));
        // Both secrets moved: the overlap still signs with the old one beside the new, under the new master key alone.
        var ping = receiver.Deliveries.Last();
        Assert.True(ping.SignedWith(first.Secret));
        Assert.True(ping.SignedWith(rotated.Secret));
    }

    [Fact]
    public async Task Endpoints_are_confined_to_their_workspace_and_bad_input_changes_nothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await Fast(TestHost.Sqlite()).StartAsync();
        var registry = host.Grains.GetGrain<IApiKeyRegistryGrain>(0);
        var ours = (await registry.CreateAsync(new ApiKeyRequest { Name = "ours", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.Webhooks] })).Key;
        var theirs = (await registry.CreateAsync(new ApiKeyRequest { Name = "theirs", WorkspaceId = "ws_other", Scopes = [Scopes.Webhooks] })).Key;
        var reader = (await registry.CreateAsync(new ApiKeyRequest { Name = "reader", WorkspaceId = TestHost.Workspace, Scopes = [Scopes.AccountsRead] })).Key;

        var created = await SendAsync(host, ours, HttpMethod.Post, "/v1/webhooks/endpoints", $$"""{"url":"{{receiver.Url}}","events":["account.deleted","account.connected"]}""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = (string)created.Json!["endpoint"]!["id"]!;
        Assert.StartsWith("whsec_", (string)created.Json["secret"]!);
        Assert.Equal("account.connected", (string)created.Json["endpoint"]!["events"]![0]!);

        Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(host, reader, HttpMethod.Get, "/v1/webhooks/endpoints")).Status);
        Assert.Equal("[]", (await SendAsync(host, theirs, HttpMethod.Get, "/v1/webhooks/endpoints")).Body);
        var foreign = await SendAsync(host, theirs, HttpMethod.Patch, $"/v1/webhooks/endpoints/{id}", """{"enabled":false}""");
        Assert.Equal((HttpStatusCode.NotFound, "webhook_endpoint_not_found"), (foreign.Status, (string?)foreign.Json?["code"]));
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(host, theirs, HttpMethod.Delete, $"/v1/webhooks/endpoints/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(host, theirs, HttpMethod.Post, $"/v1/webhooks/endpoints/{id}/rotate-secret")).Status);
        Assert.Equal("""{"items":[],"next":null}""", (await SendAsync(host, theirs, HttpMethod.Get, "/v1/webhooks/deliveries")).Body);

        string[] bad =
        [
            """{"url":"http://example.com/hooks"}""",
            """{"url":"https://user:pass@example.com/hooks"}""",
            """{"url":"https://example.com/hooks#frag"}""",
            """{"url":"ftp://example.com/hooks"}""",
            """{"url":"https://example.com/\u0007"}""",
            """{"url":"https://example.com/hooks","events":["account.everything"]}""",
            """{"url":"https://example.com/hooks","description":"a\u202Eb"}""",
            """{"url":"https://example.com/hooks","url":"https://other.example.com/"}""",
            """{"url":"https://example.com/hooks","secret":"whsec_mine"}""",
            """{"url":null}""",
            "[]",
        ];
        foreach (var body in bad)
        {
            var answer = await SendAsync(host, ours, HttpMethod.Post, "/v1/webhooks/endpoints", body);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{body} → {answer.Status} {answer.Body}");
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, ours, HttpMethod.Post, $"/v1/webhooks/endpoints/{id}/rotate-secret", """{"overlapHours":1e300}""")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, ours, HttpMethod.Get, "/v1/webhooks/deliveries?status=lost")).Status);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(host, ours, HttpMethod.Get, "/v1/webhooks/deliveries?cursor=bm90LW91cnM")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(host, ours, HttpMethod.Patch, "/v1/webhooks/endpoints/whep_%2E%2E", """{"enabled":false}""")).Status);
        await Assert.ThrowsAsync<WebhookValidationException>(() => Webhooks(host).DeleteEndpointAsync(TestHost.Workspace, "whep_../x"));
        Assert.IsAssignableFrom<Contracts.Validation.IFieldErrors>(await Assert.ThrowsAnyAsync<Exception>(() => Webhooks(host).CreateEndpointAsync(TestHost.Workspace, null!)));
        await Assert.ThrowsAsync<WebhookValidationException>(() => Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { Limit = 0 }));

        var list = await Webhooks(host).ListEndpointsAsync(null);
        var only = Assert.Single(list);
        Assert.Equal((id, receiver.Url, true), (only.Id, only.Url, only.Enabled));
    }

    [Fact]
    public async Task A_webhook_url_on_a_private_or_metadata_address_is_never_called()
    {
        await using var host = await Fast(TestHost.Sqlite(), maxAttempts: 1).StartAsync();
        var endpoint = await Webhooks(host).CreateEndpointAsync(TestHost.Workspace, new WebhookEndpointSpec { Url = "https://169.254.169.254/latest/meta-data" });
        await Webhooks(host).PingAsync(TestHost.Workspace, endpoint.Endpoint.Id);

        await Eventually.TrueAsync(async () => (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery { Status = WebhookDeliveryStatus.Dead })).Items.Count == 1, Wait, "the ping to be refused");
        var dead = (await Webhooks(host).ListDeliveriesAsync(new WebhookDeliveryQuery())).Items.Single();
        Assert.Null(dead.LastStatus);
        Assert.Contains("169.254.169.254", dead.LastError, StringComparison.Ordinal);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, JsonNode? Json);

    private static async Task<Answer> SendAsync(TestHost host, string key, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonNode? node = null;
        try
        {
            node = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (System.Text.Json.JsonException)
        {
        }
        return new Answer(response.StatusCode, body, node);
    }
}

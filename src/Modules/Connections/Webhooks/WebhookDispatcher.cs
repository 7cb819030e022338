using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// Each silo's delivery loop: fans new outbox events out to endpoints, claims due deliveries with a lease, and sends
/// them, at most <see cref="ConnectionsOptions.WebhookConcurrencyPerEndpoint"/> at a time to one endpoint, without one
/// slow endpoint holding up the others. A silo that dies mid-send leaves its leases to run out, and another silo sends
/// those deliveries again with the same event id: delivery is at least once. It wakes when this silo appends an event,
/// and otherwise polls (on real time, so a paused service clock in tests never stops it).
/// </summary>
public sealed partial class WebhookDispatcher(
    EventOutbox outbox,
    WebhookDeliveryTable deliveries,
    WebhookEndpointTable endpoints,
    WebhookSecrets secrets,
    WebhookSender sender,
    ConnectionsTelemetry telemetry,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private const int Batch = 256;
    private static readonly TimeSpan PurgeEvery = TimeSpan.FromMinutes(10);

    private readonly SemaphoreSlim _wake = new(0, 1);
    // This silo's writes to the delivery tables go one at a time: on SQLite two at once make one wait out the
    // driver's busy back-off, far longer than waiting its turn here.
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly ConcurrentDictionary<string, int> _busy = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        outbox.Appended += Wake;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await RunOnceAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogRoundFailed(logger, e.GetType().Name);
                }
                await _wake.WaitAsync(options.Value.WebhookPollInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down; claimed deliveries' leases run out and another silo (or the next start) sends them.
        }
        finally
        {
            outbox.Appended -= Wake;
        }
    }

    /// <summary>One round: fan out, claim what this silo can send now, and start sending it.</summary>
    internal async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        IReadOnlyList<ClaimedDelivery> claimed;
        await _writes.WaitAsync(cancellationToken);
        try
        {
            while (await deliveries.FanOutAsync(Batch, time, cancellationToken) == Batch)
            {
                // A backlog: keep fanning out before claiming.
            }
            claimed = await deliveries.ClaimAsync(now, now + settings.WebhookTimeout * 3, settings.WebhookConcurrencyPerEndpoint, Batch, _busy.Keys.ToArray(), cancellationToken);
        }
        finally
        {
            _writes.Release();
        }
        if (claimed.Count > 0)
        {
            var targets = await endpoints.FindManyAsync(claimed.Select(c => c.EndpointId).Distinct().ToArray(), cancellationToken);
            foreach (var group in claimed.GroupBy(c => c.EndpointId))
            {
                _busy[group.Key] = group.Count();
                _ = SendAllAsync(group.ToArray(), targets.GetValueOrDefault(group.Key), cancellationToken);
            }
        }
        if (now - _lastPurge >= PurgeEvery)
        {
            _lastPurge = now;
            await deliveries.PurgeAsync(now - settings.WebhookRetention, cancellationToken);
        }
    }

    private async Task SendAllAsync(ClaimedDelivery[] batch, WebhookEndpointRow? endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var outcomes = await Task.WhenAll(batch.Select(d => SendAsync(d, endpoint, cancellationToken)));
            await _writes.WaitAsync(CancellationToken.None);
            try
            {
                await deliveries.RecordAsync(outcomes, CancellationToken.None);
            }
            finally
            {
                _writes.Release();
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Storage refused the outcomes: the leases run out and the deliveries are sent again, which at-least-once allows.
            LogOutcomeLost(logger, batch.Length, e.GetType().Name);
        }
        finally
        {
            _busy.TryRemove(batch[0].EndpointId, out _);
            // The endpoint may have more waiting.
            Wake();
        }
    }

    private async Task<DeliveryOutcome> SendAsync(ClaimedDelivery delivery, WebhookEndpointRow? endpoint, CancellationToken cancellationToken)
    {
        var attempts = delivery.Attempts + 1;
        AttemptResult result;
        if (endpoint is null) result = new(false, null, "the endpoint was deleted", null);
        else if (SecretsOf(endpoint, time.GetUtcNow()) is not { } signing) result = new(false, null, "the endpoint's secret cannot be opened with this service's master keys", null);
        // The timestamp is for the receiver, which checks it against its own clock to refuse replays: the wall
        // clock's, whatever the service's clock says.
        else result = await sender.SendAsync(endpoint.Url, delivery.EventId, delivery.Payload, signing, TimeProvider.System.GetUtcNow(), cancellationToken);
        telemetry.WebhookAttempted(result.Delivered ? "delivered" : "failed");
        var now = time.GetUtcNow();
        if (result.Delivered) return new DeliveryOutcome(delivery.Id, true, attempts, result.Status, null, null, now);
        var next = endpoint is null ? null : WebhookRetryPolicy.NextAttempt(attempts, options.Value.WebhookMaxAttempts, now, RandomNumberGenerator.GetInt32(1000) / 1000d, result.RetryAfter);
        if (next is null) LogDead(logger, delivery.Id, delivery.EndpointId, attempts, result.Error ?? "");
        return new DeliveryOutcome(delivery.Id, false, attempts, result.Status, result.Error ?? "failed", next, now);
    }

    /// <summary>The current secret, and the previous one while its overlap lasts; null when the master keys cannot open them.</summary>
    private IReadOnlyList<string>? SecretsOf(WebhookEndpointRow endpoint, DateTimeOffset now)
    {
        try
        {
            var current = secrets.Open(endpoint.SealedSecret, endpoint.WorkspaceId, endpoint.Id);
            return endpoint is { SealedPrevious: { } previous, PreviousUntil: { } until } && until > now
                ? [current, secrets.Open(previous, endpoint.WorkspaceId, endpoint.Id)]
                : [current];
        }
        catch (Vault.Envelopes.CredentialEnvelopeException)
        {
            return null;
        }
    }

    private void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0) _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        _writes.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook delivery round failed ({Error}); trying again shortly")]
    private static partial void LogRoundFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} is dead after {Attempts} attempt(s): {Reason}")]
    private static partial void LogDead(ILogger logger, string deliveryId, string endpointId, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outcomes of {Count} webhook deliveries could not be stored ({Error}); they will be sent again")]
    private static partial void LogOutcomeLost(ILogger logger, int count, string error);
}

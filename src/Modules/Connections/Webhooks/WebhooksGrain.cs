using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Ids;
using Accounts.Orleans.Contracts.Webhooks;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// Endpoint settings and the delivery log, over their tables; any silo serves it. The caller's key decides the
/// workspace: another workspace's endpoint or delivery is as unknown as an id nobody has. Changes are audited under
/// the endpoint's id.
/// </summary>
[StatelessWorker, Reentrant]
public sealed class WebhooksGrain(
    WebhookEndpointTable endpoints,
    WebhookDeliveryTable deliveries,
    WebhookSecrets secrets,
    EventOutbox outbox,
    Audit.AuditTrail audit,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time) : Grain, IWebhooksGrain
{
    private static readonly TimeSpan LongestOverlap = TimeSpan.FromDays(30);

    async Task<IReadOnlyList<WebhookEndpoint>> IWebhooksGrain.ListEndpointsAsync(string? workspaceId)
    {
        if (workspaceId is not null) CheckWorkspace(workspaceId);
        if (!Tenancy.TryConfine(workspaceId, out var confined)) return [];
        var now = time.GetUtcNow();
        return (await endpoints.ListAsync(confined, CancellationToken.None)).Select(e => e.View(now)).ToArray();
    }

    async Task<WebhookEndpointCreated> IWebhooksGrain.CreateEndpointAsync(string workspaceId, WebhookEndpointSpec spec)
    {
        CheckWorkspace(workspaceId);
        Tenancy.RequireOwn(workspaceId);
        var valid = WebhookEndpointRules.Check(spec, options.Value.AllowLoopbackHttp);
        var limit = options.Value.MaxWebhookEndpointsPerWorkspace;
        if (await endpoints.CountAsync(workspaceId, CancellationToken.None) >= limit) throw new WebhookLimitReachedException(limit);
        var id = TimeOrderedId.New(WebhookEndpointRules.IdPrefix, time);
        var secret = WebhookSecrets.New();
        var now = time.GetUtcNow();
        var row = new WebhookEndpointRow(id, workspaceId, valid.Url, valid.Events, valid.Description, valid.Enabled,
            secrets.Seal(secret, workspaceId, id), null, null, WebhookSecrets.Hint(secret), now, now);
        await endpoints.InsertAsync(row, CancellationToken.None);
        Audit(row, "webhook_endpoint_created", valid.Url);
        return new WebhookEndpointCreated(row.View(now), secret);
    }

    async Task<WebhookEndpoint> IWebhooksGrain.UpdateEndpointAsync(string workspaceId, string endpointId, WebhookEndpointSpec spec)
    {
        var row = await RequireAsync(workspaceId, endpointId);
        var valid = WebhookEndpointRules.Check(spec, options.Value.AllowLoopbackHttp);
        var now = time.GetUtcNow();
        var updated = row with { Url = valid.Url, Events = valid.Events, Description = valid.Description, Enabled = valid.Enabled, UpdatedAt = now };
        if (!await endpoints.UpdateAsync(updated, CancellationToken.None)) throw new WebhookEndpointNotFoundException(endpointId);
        Audit(updated, "webhook_endpoint_updated", $"{valid.Url}{(valid.Enabled ? "" : " (disabled)")}");
        return updated.View(now);
    }

    async Task IWebhooksGrain.DeleteEndpointAsync(string workspaceId, string endpointId)
    {
        var row = await RequireAsync(workspaceId, endpointId);
        if (!await endpoints.DeleteAsync(workspaceId, endpointId, CancellationToken.None)) throw new WebhookEndpointNotFoundException(endpointId);
        Audit(row, "webhook_endpoint_deleted", null);
    }

    async Task<WebhookEndpointCreated> IWebhooksGrain.RotateSecretAsync(string workspaceId, string endpointId, TimeSpan overlap)
    {
        if (overlap < TimeSpan.Zero || overlap > LongestOverlap) throw new WebhookValidationException("overlap", $"must be between 0 and {LongestOverlap.TotalDays:0} days");
        var row = await RequireAsync(workspaceId, endpointId);
        var secret = WebhookSecrets.New();
        var now = time.GetUtcNow();
        var rotated = row with
        {
            SealedSecret = secrets.Seal(secret, workspaceId, endpointId),
            SealedPrevious = overlap > TimeSpan.Zero ? row.SealedSecret : null,
            PreviousUntil = overlap > TimeSpan.Zero ? now + overlap : null,
            SecretHint = WebhookSecrets.Hint(secret),
            UpdatedAt = now,
        };
        if (!await endpoints.UpdateAsync(rotated, CancellationToken.None)) throw new WebhookEndpointNotFoundException(endpointId);
        Audit(rotated, "webhook_secret_rotated", overlap > TimeSpan.Zero ? $"the previous secret also signs until {now + overlap:O}" : "the previous secret stopped signing at once");
        return new WebhookEndpointCreated(rotated.View(now), secret);
    }

    async Task<string> IWebhooksGrain.PingAsync(string workspaceId, string endpointId)
    {
        var row = await RequireAsync(workspaceId, endpointId);
        var ping = OutboxEvent.New(WebhookEventTypes.Ping, workspaceId, time, new() { ["endpoint_id"] = row.Id }, endpointId: row.Id);
        await outbox.AppendAsync([ping], CancellationToken.None);
        return ping.Id;
    }

    Task<WebhookDeliveryPage> IWebhooksGrain.ListDeliveriesAsync(WebhookDeliveryQuery query)
    {
        if (query is null) throw new WebhookValidationException("query", "is required");
        if (query.WorkspaceId is { } workspace) CheckWorkspace(workspace);
        if (query.EndpointId is { } endpoint && !WebhookEndpointRules.IsId(endpoint)) throw new WebhookValidationException("endpointId", "is not a webhook endpoint id (whep_ followed by a ULID)");
        if (!Tenancy.TryConfine(query.WorkspaceId, out var confined)) return Task.FromResult(new WebhookDeliveryPage([], null));
        return deliveries.ListAsync(query, confined, CancellationToken.None);
    }

    async Task<WebhookDelivery> IWebhooksGrain.RedeliverAsync(string workspaceId, string deliveryId)
    {
        CheckWorkspace(workspaceId);
        if (!TimeOrderedId.IsValid(deliveryId, WebhookDeliveryTable.IdPrefix)) throw new WebhookValidationException("deliveryId", "is not a webhook delivery id (whdl_ followed by a ULID)");
        if (!Tenancy.Sees(workspaceId)) throw new WebhookDeliveryNotFoundException(deliveryId);
        var delivery = await deliveries.FindAsync(workspaceId, deliveryId, CancellationToken.None) ?? throw new WebhookDeliveryNotFoundException(deliveryId);
        var now = time.GetUtcNow();
        // What this call did, not what a dispatcher may already have done since: a pending delivery is left as it is.
        if (await deliveries.RequeueAsync(workspaceId, deliveryId, now, CancellationToken.None))
            delivery = delivery with { Status = WebhookDeliveryStatus.Pending, Attempts = 0, NextAttemptAt = now };
        audit.Record(new AuditEvent(time.GetUtcNow(), $"webhook:{delivery.EndpointId}", workspaceId, "webhook_redelivered", Actor, null, null, deliveryId));
        return delivery;
    }

    private async Task<WebhookEndpointRow> RequireAsync(string workspaceId, string endpointId)
    {
        CheckWorkspace(workspaceId);
        if (!WebhookEndpointRules.IsId(endpointId)) throw new WebhookValidationException("endpointId", "is not a webhook endpoint id (whep_ followed by a ULID)");
        if (!Tenancy.Sees(workspaceId)) throw new WebhookEndpointNotFoundException(endpointId);
        return await endpoints.FindAsync(workspaceId, endpointId, CancellationToken.None) ?? throw new WebhookEndpointNotFoundException(endpointId);
    }

    private static void CheckWorkspace(string? workspaceId)
    {
        if (!WorkspaceIds.IsValid(workspaceId)) throw new WebhookValidationException("workspaceId", WorkspaceIds.Rule);
    }

    private static string Actor => Principal.Actor("operator") ?? "operator";

    private void Audit(WebhookEndpointRow row, string action, string? detail)
        => audit.Record(new AuditEvent(time.GetUtcNow(), $"webhook:{row.Id}", row.WorkspaceId, action, Actor, null, null, detail));
}

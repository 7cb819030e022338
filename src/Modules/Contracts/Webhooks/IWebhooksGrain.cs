using Accounts.Orleans.Contracts.Access;

namespace Accounts.Orleans.Contracts.Webhooks;

/// <summary>
/// A workspace's webhook endpoints and what was delivered to them (key: 0; any silo serves it). A key of one workspace
/// sees only its own; another workspace's endpoint or delivery looks exactly like an unknown one.
/// </summary>
[Alias("webhooks.IWebhooksGrain")]
public interface IWebhooksGrain : IGrainWithIntegerKey
{
    /// <summary>The endpoints of <paramref name="workspaceId"/>, or of every workspace the caller sees when null.</summary>
    [Alias("ListEndpoints"), RequiresScope(Scopes.Webhooks)]
    Task<IReadOnlyList<WebhookEndpoint>> ListEndpointsAsync(string? workspaceId);

    /// <summary>Adds an endpoint; its signing secret is in the answer and never shown again.</summary>
    /// <exception cref="WebhookValidationException">The URL, the event list or the description breaks a rule.</exception>
    /// <exception cref="WebhookLimitReachedException">The workspace holds as many endpoints as it may.</exception>
    [Alias("CreateEndpoint"), RequiresScope(Scopes.Webhooks)]
    Task<WebhookEndpointCreated> CreateEndpointAsync(string workspaceId, WebhookEndpointSpec spec);

    /// <exception cref="WebhookEndpointNotFoundException">No endpoint of this workspace has this id.</exception>
    [Alias("UpdateEndpoint"), RequiresScope(Scopes.Webhooks)]
    Task<WebhookEndpoint> UpdateEndpointAsync(string workspaceId, string endpointId, WebhookEndpointSpec spec);

    /// <summary>Removes the endpoint; deliveries still waiting for it are dropped.</summary>
    [Alias("DeleteEndpoint"), RequiresScope(Scopes.Webhooks)]
    Task DeleteEndpointAsync(string workspaceId, string endpointId);

    /// <summary>
    /// A new signing secret, returned once. Until <paramref name="overlap"/> has passed, every delivery carries a
    /// signature under the old secret as well, so receivers can switch without missing one.
    /// </summary>
    [Alias("RotateSecret"), RequiresScope(Scopes.Webhooks)]
    Task<WebhookEndpointCreated> RotateSecretAsync(string workspaceId, string endpointId, TimeSpan overlap);

    /// <summary>Queues a <c>webhook.ping</c> event for this endpoint alone.</summary>
    [Alias("Ping"), RequiresScope(Scopes.Webhooks)]
    Task<string> PingAsync(string workspaceId, string endpointId);

    /// <summary>Deliveries, newest first; <see cref="WebhookDeliveryStatus.Dead"/> ones are the dead-letter view.</summary>
    [Alias("ListDeliveries"), RequiresScope(Scopes.Webhooks)]
    Task<WebhookDeliveryPage> ListDeliveriesAsync(WebhookDeliveryQuery query);

    /// <summary>Sends a dead (or delivered) event to its endpoint again, as a new attempt series with the same event id.</summary>
    /// <exception cref="WebhookDeliveryNotFoundException">No delivery of this workspace has this id.</exception>
    [Alias("Redeliver"), RequiresScope(Scopes.Webhooks)]
    Task<WebhookDelivery> RedeliverAsync(string workspaceId, string deliveryId);
}

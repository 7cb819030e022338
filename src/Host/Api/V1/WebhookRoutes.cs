using System.Security.Claims;
using Accounts.Orleans.Contracts.Webhooks;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// <c>/v1/webhooks</c>: a workspace's endpoints (signed with Standard Webhooks; the secret is shown when an endpoint is
/// made or its secret rotated, never again) and the log of deliveries, dead ones included, which can be sent again.
/// A workspace key acts on its own workspace; an all-workspace key names one with <c>workspaceId</c>.
/// </summary>
public static class WebhookRoutes
{
    private const long MaxBodyBytes = 16 * 1024;

    public static void MapWebhookRoutes(this RouteGroupBuilder v1)
    {
        var webhooks = v1.MapGroup("/webhooks").WithTags("Webhooks");
        webhooks.MapGet("/endpoints", ListAsync).WithSummary("The workspace's webhook endpoints");
        webhooks.MapPost("/endpoints", CreateAsync).WithSummary("Add an endpoint; the answer holds its signing secret, shown this once");
        webhooks.MapPatch("/endpoints/{id}", UpdateAsync).WithSummary("Change an endpoint's URL, events, description or whether it is enabled");
        webhooks.MapDelete("/endpoints/{id}", DeleteAsync).WithSummary("Remove an endpoint and the deliveries waiting for it");
        webhooks.MapPost("/endpoints/{id}/rotate-secret", RotateAsync).WithSummary("A new signing secret, shown once; the old one also signs for the overlap (24 hours unless told)");
        webhooks.MapPost("/endpoints/{id}/ping", PingAsync).WithSummary("Send a webhook.ping event to this endpoint");
        webhooks.MapGet("/deliveries", DeliveriesAsync).WithSummary("Deliveries, newest first; status=dead is the dead-letter list");
        webhooks.MapPost("/deliveries/{id}/redeliver", RedeliverAsync).WithSummary("Send a dead or delivered event to its endpoint again, with the same webhook-id");
    }

    private static IWebhooksGrain Webhooks(IGrainFactory grains) => grains.GetGrain<IWebhooksGrain>(0);

    private static async Task<Ok<IReadOnlyList<WebhookEndpoint>>> ListAsync(ClaimsPrincipal user, IGrainFactory grains, string? workspaceId)
        => TypedResults.Ok(await Webhooks(grains).ListEndpointsAsync(user.Workspace() ?? workspaceId));

    private static async Task<Created<WebhookEndpointCreated>> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<EndpointBody>(request, MaxBodyBytes, """{ "url", "events": [ … ], "description", "enabled", "workspaceId" }""", cancellationToken);
        var created = await Webhooks(grains).CreateEndpointAsync(Workspace(user, body.WorkspaceId), Spec(body, null));
        return TypedResults.Created($"/v1/webhooks/endpoints/{created.Endpoint.Id}", created);
    }

    private static async Task<Ok<WebhookEndpoint>> UpdateAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<EndpointBody>(request, MaxBodyBytes, """{ "url", "events": [ … ], "description", "enabled", "workspaceId" }""", cancellationToken);
        var workspace = Workspace(user, body.WorkspaceId);
        var current = (await Webhooks(grains).ListEndpointsAsync(workspace)).FirstOrDefault(e => e.Id == id) ?? throw new WebhookEndpointNotFoundException(Shown(id));
        return TypedResults.Ok(await Webhooks(grains).UpdateEndpointAsync(workspace, id, Spec(body, current)));
    }

    private static async Task<NoContent> DeleteAsync(string id, ClaimsPrincipal user, IGrainFactory grains, string? workspaceId)
    {
        await Webhooks(grains).DeleteEndpointAsync(Workspace(user, workspaceId), id);
        return TypedResults.NoContent();
    }

    private static async Task<Ok<WebhookEndpointCreated>> RotateAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = request.ContentLength is null or 0 ? new RotateBody(null, null)
            : await ApiBody.ReadAsync<RotateBody>(request, MaxBodyBytes, """{ "overlapHours", "workspaceId" }""", cancellationToken);
        var hours = body.OverlapHours ?? 24;
        if (!double.IsFinite(hours) || hours is < 0 or > 720) throw new WebhookValidationException("overlapHours", "must be between 0 and 720");
        return TypedResults.Ok(await Webhooks(grains).RotateSecretAsync(Workspace(user, body.WorkspaceId), id, TimeSpan.FromHours(hours)));
    }

    private static async Task<Accepted<PingView>> PingAsync(string id, ClaimsPrincipal user, IGrainFactory grains, string? workspaceId)
        => TypedResults.Accepted((string?)null, new PingView(await Webhooks(grains).PingAsync(Workspace(user, workspaceId), id)));

    private static async Task<Ok<WebhookDeliveryPage>> DeliveriesAsync(ClaimsPrincipal user, IGrainFactory grains, string? workspaceId, string? endpointId, string? status, int? limit, string? cursor)
        => TypedResults.Ok(await Webhooks(grains).ListDeliveriesAsync(new WebhookDeliveryQuery
        {
            WorkspaceId = user.Workspace() ?? workspaceId,
            EndpointId = endpointId,
            Status = status switch
            {
                null => null,
                "pending" => WebhookDeliveryStatus.Pending,
                "delivered" => WebhookDeliveryStatus.Delivered,
                "dead" => WebhookDeliveryStatus.Dead,
                _ => throw new WebhookValidationException("status", "must be pending, delivered or dead"),
            },
            Limit = limit ?? 50,
            Cursor = cursor,
        }));

    private static async Task<Ok<WebhookDelivery>> RedeliverAsync(string id, ClaimsPrincipal user, IGrainFactory grains, string? workspaceId)
        => TypedResults.Ok(await Webhooks(grains).RedeliverAsync(Workspace(user, workspaceId), id));

    /// <summary>The key's own workspace; an all-workspace key must name one.</summary>
    private static string Workspace(ClaimsPrincipal user, string? named)
        => user.Workspace() ?? named ?? throw new WebhookValidationException("workspaceId", "is required for a key that is not bound to one workspace");

    /// <summary>A PATCH keeps what the body leaves out.</summary>
    private static WebhookEndpointSpec Spec(EndpointBody body, WebhookEndpoint? current) => new()
    {
        Url = body.Url ?? current?.Url ?? "",
        Events = body.Events ?? current?.Events ?? [],
        Description = body.Description ?? current?.Description,
        Enabled = body.Enabled ?? current?.Enabled ?? true,
    };

    private static string Shown(string id) => id.Length > 64 ? id[..64] + "…" : id;

    private sealed record EndpointBody(string? Url, List<string>? Events, string? Description, bool? Enabled, string? WorkspaceId);

    private sealed record RotateBody(double? OverlapHours, string? WorkspaceId);

    private sealed record PingView(string EventId);
}

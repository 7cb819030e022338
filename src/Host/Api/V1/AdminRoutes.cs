using System.Security.Claims;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// What an admin key may do over HTTP: the OAuth clients registered at apps, and the queue of app requests. The grains
/// require the <c>admin</c> (clients) and <c>catalog:write</c> (triage) scopes; nothing here re-decides that.
/// </summary>
public static class AdminRoutes
{
    private const long MaxBodyBytes = 16 * 1024;

    private static Dictionary<string, AppRequestStatus> Statuses => AppRequestEndpoints.Statuses;

    public static void MapAdminRoutes(this RouteGroupBuilder v1)
    {
        var clients = v1.MapGroup("/oauth-clients").WithTags("OAuth clients");
        clients.MapGet("/", ListClientsAsync).WithSummary("Every app's OAuth client, from configuration or stored; never a secret");
        clients.MapPut("/{appSlug}", SetClientAsync).WithSummary("Store an app's OAuth client (the secret is sealed, and never returned)");
        clients.MapDelete("/{appSlug}", RemoveClientAsync).WithSummary("Remove a stored OAuth client");

        var requests = v1.MapGroup("/app-requests").WithTags("App requests");
        requests.MapGet("/", ListRequestsAsync).WithSummary("Requests for new apps, most votes first, a page at a time");
        requests.MapPost("/{id}/triage", TriageAsync).WithSummary("Move a request on: planned, shipped (naming the catalog app) or declined");
    }

    private static async Task<Ok<OAuthClientList>> ListClientsAsync(IGrainFactory grains)
        => TypedResults.Ok(new OAuthClientList(await Clients(grains).ListAsync()));

    private static async Task<Ok<OAuthClientStatus>> SetClientAsync(string appSlug, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<ClientBody>(request, MaxBodyBytes,
            """{ "clientId", "clientSecret", "secretExpiresAt", "nextClientSecret", "nextSecretExpiresAt" }""", cancellationToken);
        return TypedResults.Ok(await Clients(grains).SetAsync(new OAuthClientRegistration
        {
            AppSlug = appSlug, ClientId = body.ClientId ?? "", ClientSecret = body.ClientSecret, Actor = user.Name(),
            SecretExpiresAt = body.SecretExpiresAt, NextClientSecret = body.NextClientSecret, NextSecretExpiresAt = body.NextSecretExpiresAt,
        }));
    }

    private static async Task<NoContent> RemoveClientAsync(string appSlug, ClaimsPrincipal user, IGrainFactory grains)
    {
        await Clients(grains).RemoveAsync(appSlug, user.Name());
        return TypedResults.NoContent();
    }

    private static async Task<Ok<AppRequestPage>> ListRequestsAsync(HttpRequest request, IGrainFactory grains)
        => TypedResults.Ok(await Catalog(grains).ListRequestsAsync(AppRequestEndpoints.Query(request)));

    private static async Task<Ok<AppRequest>> TriageAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<TriageBody>(request, MaxBodyBytes, """{ "status", "shippedSlug", "note" }""", cancellationToken);
        var status = body.Status is { } name && Statuses.TryGetValue(name, out var known)
            ? known
            : throw new CatalogValidationException(new Dictionary<string, string[]> { ["status"] = [$"must be one of: {string.Join(", ", Statuses.Keys)}"] });
        return TypedResults.Ok(await Catalog(grains).TriageRequestAsync(id, status, body.ShippedSlug, user.Name(), body.Note));
    }

    private static IOAuthClientRegistryGrain Clients(IGrainFactory grains) => grains.GetGrain<IOAuthClientRegistryGrain>(0);

    private static IAppCatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

    public sealed record OAuthClientList(IReadOnlyList<OAuthClientStatus> Items);


    private sealed record ClientBody(string? ClientId, string? ClientSecret, DateTimeOffset? SecretExpiresAt, string? NextClientSecret, DateTimeOffset? NextSecretExpiresAt)
    {
        public override string ToString()
            => $"ClientBody {{ ClientId = {ClientId}, HasSecret = {ClientSecret is not null}, SecretExpiresAt = {SecretExpiresAt}, HasNextSecret = {NextClientSecret is not null} }}";
    }

    private sealed record TriageBody(string? Status, string? ShippedSlug, string? Note);
}

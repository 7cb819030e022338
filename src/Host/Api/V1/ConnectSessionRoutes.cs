using System.Security.Claims;
using Accounts.Orleans.Contracts.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// <c>/v1/connect/sessions</c>: a backend asks for a single-use link to the hosted connect page for one of its end
/// users, then reads how it ended.
/// </summary>
public static class ConnectSessionRoutes
{
    private const long MaxBodyBytes = 64 * 1024;

    public static void MapConnectSessionRoutes(this RouteGroupBuilder v1)
    {
        var sessions = v1.MapGroup("/connect/sessions").WithTags("Connect sessions");
        sessions.MapPost("/", CreateAsync).WithSummary("A single-use link for an end user to connect an account on the hosted page; the token is shown once");
        sessions.MapGet("/{id}", GetAsync).WithSummary("A session and its outcome (the account connected, reconnected or chosen)");
    }

    private static async Task<Created<ConnectSessionCreated>> CreateAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<SessionBody>(request, MaxBodyBytes,
            """{ "workspaceId", "endUserId", "apps": [ … ], "accountId", "successRedirectUrl", "errorRedirectUrl", "lifetimeMinutes" }""", cancellationToken);
        var created = await grains.GetGrain<IAccountConnectorGrain>(0).CreateConnectSessionAsync(new ConnectSessionRequest
        {
            WorkspaceId = body.WorkspaceId ?? user.Workspace() ?? "",
            EndUserId = body.EndUserId,
            Apps = body.Apps ?? [],
            ReconnectAccountId = body.AccountId,
            SuccessRedirectUrl = body.SuccessRedirectUrl,
            ErrorRedirectUrl = body.ErrorRedirectUrl,
            Lifetime = body.LifetimeMinutes is { } minutes ? TimeSpan.FromMinutes(minutes) : null,
        });
        return TypedResults.Created($"/v1/connect/sessions/{created.Id}", created);
    }

    private static async Task<Ok<ConnectSessionView>> GetAsync(string id, IGrainFactory grains)
        => Connections.ConnectTokens.IsSessionId(id)
            ? TypedResults.Ok(await grains.GetGrain<IConnectSessionGrain>(id).GetAsync())
            : throw new ConnectSessionNotFoundException(id.Length > 64 ? id[..64] + "…" : id);

    private sealed record SessionBody(
        string? WorkspaceId, string? EndUserId, List<string>? Apps, string? AccountId, string? SuccessRedirectUrl, string? ErrorRedirectUrl, int? LifetimeMinutes);
}

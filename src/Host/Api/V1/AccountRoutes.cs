using System.Security.Claims;
using Accounts.Orleans.Contracts.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// <c>/v1/accounts</c>: what a workflow engine in any language does with accounts. Every call goes to the same grains
/// an Orleans client reaches, carrying the request's key, so scope, workspace and audit are judged exactly as there.
/// </summary>
public static class AccountRoutes
{
    private const long MaxBodyBytes = 64 * 1024;

    private static readonly Dictionary<string, AccountHealth> Healths = new(StringComparer.Ordinal)
    {
        ["healthy"] = AccountHealth.Healthy,
        ["expiring"] = AccountHealth.Expiring,
        ["needs_reconnect"] = AccountHealth.NeedsReconnect,
        ["error"] = AccountHealth.Error,
        ["deleted"] = AccountHealth.Deleted,
    };

    public static void MapAccountRoutes(this RouteGroupBuilder v1)
    {
        var accounts = v1.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapGet("/", ListAsync).WithSummary("List accounts, newest first, a page at a time");
        accounts.MapPost("/", ConnectAsync).WithSummary("Connect an account of a key-based app (its fields are verified at the app first)");
        accounts.MapGet("/{id}", GetAsync).WithSummary("One account, without its secrets");
        accounts.MapPatch("/{id}", RenameAsync).WithSummary("Rename an account");
        accounts.MapDelete("/{id}", DeleteAsync).WithSummary("Delete an account (revoked at the app where it supports that); ?force=true when steps still use it");
        accounts.MapPost("/{id}/reconnect", ReconnectAsync).WithSummary("Give a key-based account new fields; it keeps its id and links");
        accounts.MapPost("/{id}/refresh", RefreshAsync).WithSummary("Refresh an OAuth account's token now");
        accounts.MapGet("/{id}/audit", AuditAsync).WithSummary("The account's newest audit events");
        accounts.MapPut("/{id}/links/{workflowId}/{stepId}", LinkAsync).WithSummary("Let a workflow step read the account's credentials");
        accounts.MapDelete("/{id}/links/{workflowId}/{stepId}", UnlinkAsync).WithSummary("Stop a workflow step from reading the account's credentials");
        accounts.MapPost("/{id}/credentials", CredentialsAsync).WithSummary("The credentials for a linked step (never cached: Cache-Control: no-store)");
    }

    private static async Task<Ok<AccountPage>> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var parameters = new QueryParameters(request.Query);
        var query = new AccountQuery
        {
            WorkspaceId = parameters.Text("workspaceId"),
            AppSlug = parameters.Text("app"),
            Text = parameters.Text("q"),
            Health = parameters.Enum("health", Healths),
            WorkflowId = parameters.Text("workflowId"),
            Limit = parameters.WholeNumber("limit") ?? AccountQuery.DefaultLimit,
            Cursor = parameters.Text("cursor"),
        };
        parameters.ThrowIfInvalid();
        return TypedResults.Ok(await grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(query));
    }

    private static async Task<Created<AccountSummary>> ConnectAsync(HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<ConnectBody>(request, MaxBodyBytes, """{ "appSlug", "nickname", "fields": { … }, "workspaceId" }""", cancellationToken);
        var account = await Connector(grains).ConnectWithKeysAsync(new KeyConnectRequest
        {
            // A key of one workspace connects there; naming another is refused by the connector, never rewritten.
            WorkspaceId = body.WorkspaceId ?? user.Workspace() ?? "",
            AppSlug = body.AppSlug ?? "",
            Nickname = body.Nickname ?? "",
            Fields = body.Fields ?? new Dictionary<string, string>(),
            Actor = user.Name(),
        });
        return TypedResults.Created($"/v1/accounts/{account.Id}", account);
    }

    private static async Task<Ok<AccountSummary>> GetAsync(string id, IGrainFactory grains)
        => TypedResults.Ok(await Account(grains, id).GetAsync());

    private static async Task<Ok<AccountSummary>> RenameAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<RenameBody>(request, MaxBodyBytes, """{ "nickname" }""", cancellationToken);
        return TypedResults.Ok(await Account(grains, id).RenameAsync(body.Nickname ?? "", user.Name()));
    }

    private static async Task<Ok<AccountSummary>> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var parameters = new QueryParameters(request.Query);
        var force = parameters.Enum("force", Flags) ?? false;
        parameters.ThrowIfInvalid();
        return TypedResults.Ok(await Account(grains, id).DeleteAsync(force, user.Name()));
    }

    private static async Task<Ok<AccountSummary>> ReconnectAsync(string id, HttpRequest request, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<ReconnectBody>(request, MaxBodyBytes, """{ "fields": { … } }""", cancellationToken);
        return TypedResults.Ok(await Connector(grains).ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = CheckedId(id),
            WorkspaceId = await WorkspaceOfAsync(user, grains, id),
            Fields = body.Fields ?? new Dictionary<string, string>(),
            Actor = user.Name(),
        }));
    }

    private static async Task<Ok<AccountSummary>> RefreshAsync(string id, ClaimsPrincipal user, IGrainFactory grains)
        => TypedResults.Ok(await Account(grains, id).RefreshAsync(user.Name()));

    private static async Task<Ok<AuditView>> AuditAsync(string id, HttpRequest request, IGrainFactory grains)
    {
        var parameters = new QueryParameters(request.Query);
        var limit = parameters.WholeNumber("limit") ?? 50;
        parameters.ThrowIfInvalid();
        return TypedResults.Ok(new AuditView(await grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(id, limit)));
    }

    private static async Task<Ok<AccountSummary>> LinkAsync(string id, string workflowId, string stepId, ClaimsPrincipal user, IGrainFactory grains)
        => TypedResults.Ok(await Account(grains, id).LinkAsync(await WorkspaceOfAsync(user, grains, id), new WorkflowStep(workflowId, stepId)));

    private static async Task<Ok<AccountSummary>> UnlinkAsync(string id, string workflowId, string stepId, ClaimsPrincipal user, IGrainFactory grains)
        => TypedResults.Ok(await Account(grains, id).UnlinkAsync(await WorkspaceOfAsync(user, grains, id), new WorkflowStep(workflowId, stepId)));

    private static async Task<Ok<CredentialBundle>> CredentialsAsync(string id, HttpContext context, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<CredentialsBody>(context.Request, MaxBodyBytes, """{ "workflowId", "stepId", "workspaceId" }""", cancellationToken);
        // Set before the read, so that an error answer is not kept by a cache either.
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        // A key of every workspace may name the account's workspace, so reading needs no more than credentials:read;
        // a workspace key's own workspace is the only one it can name (another answers as an unknown account).
        var workspace = user.Workspace() ?? body.WorkspaceId ?? await WorkspaceOfAsync(user, grains, id);
        if (body.WorkspaceId is { } named && named != workspace) throw new AccountNotFoundException(id);
        var bundle = await Account(grains, id).GetCredentialsAsync(new CredentialRequest(workspace, body.WorkflowId ?? "", body.StepId ?? ""));
        return TypedResults.Ok(bundle);
    }

    /// <summary>
    /// The workspace a call on an account acts in: the key's own; for a key of every workspace, the account's (read
    /// through the same checked call, so an unknown id answers as unknown).
    /// </summary>
    private static async Task<string> WorkspaceOfAsync(ClaimsPrincipal user, IGrainFactory grains, string accountId)
        => user.Workspace() ?? (await Account(grains, accountId).GetAsync()).WorkspaceId;

    private static readonly Dictionary<string, bool> Flags = new(StringComparer.Ordinal) { ["true"] = true, ["false"] = false };

    private static IConnectedAccountGrain Account(IGrainFactory grains, string id) => grains.GetGrain<IConnectedAccountGrain>(CheckedId(id));

    /// <summary>A malformed id is refused before any grain is addressed, so no request activates a grain under a string of its choosing.</summary>
    private static string CheckedId(string id)
        => Connections.AccountIds.IsValid(id) ? id : throw new AccountValidationException(new Dictionary<string, string[]> { ["id"] = [Connections.AccountIds.Rule] });

    private static IAccountConnectorGrain Connector(IGrainFactory grains) => grains.GetGrain<IAccountConnectorGrain>(0);

    private sealed record ConnectBody(string? AppSlug, string? Nickname, Dictionary<string, string>? Fields, string? WorkspaceId);

    private sealed record ReconnectBody(Dictionary<string, string>? Fields);

    private sealed record RenameBody(string? Nickname);

    private sealed record CredentialsBody(string? WorkflowId, string? StepId, string? WorkspaceId);

    public sealed record AuditView(IReadOnlyList<AuditEvent> Items);
}

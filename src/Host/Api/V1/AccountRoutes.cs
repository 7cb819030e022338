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
        ["degraded"] = AccountHealth.Degraded,
        // The name the degraded state had before it had hysteresis.
        ["error"] = AccountHealth.Degraded,
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
        accounts.MapPost("/{id}/proxy", ProxyAsync).WithSummary("Call the app's API for a linked step with the account's credentials, which the caller never sees; answers with the app's status, headers and body");
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

    private sealed record ProxyBody(string? WorkflowId, string? StepId, string? WorkspaceId, string? Method, string? Path,
        Dictionary<string, string>? Query, Dictionary<string, string>? Headers, string? Body, string? BodyBase64, string? ContentType);

    /// <summary>Room for the largest request body the proxy takes, base64-encoded, and the JSON around it.</summary>
    private const long MaxProxyBodyBytes = Connections.Proxy.ProxyCall.MaxBodyBytes / 3 * 4 + 64 * 1024;

    private static async Task<IResult> ProxyAsync(string id, HttpContext context, ClaimsPrincipal user, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<ProxyBody>(context.Request, MaxProxyBodyBytes,
            """{ "workflowId", "stepId", "workspaceId", "method", "path", "query": { … }, "headers": { … }, "body" | "bodyBase64", "contentType" }""", cancellationToken);
        if (body.Body is not null && body.BodyBase64 is not null)
            throw new AccountValidationException(new Dictionary<string, string[]> { ["body"] = ["give body or bodyBase64, not both"] });
        byte[]? payload = body.Body is { } text ? System.Text.Encoding.UTF8.GetBytes(text) : null;
        if (body.BodyBase64 is { } encoded)
        {
            payload = new byte[encoded.Length];
            if (!Convert.TryFromBase64String(encoded, payload, out var written))
                throw new AccountValidationException(new Dictionary<string, string[]> { ["bodyBase64"] = ["is not base64"] });
            payload = payload[..written];
        }
        var workspace = user.Workspace() ?? body.WorkspaceId ?? await WorkspaceOfAsync(user, grains, id);
        if (body.WorkspaceId is { } named && named != workspace) throw new AccountNotFoundException(id);
        var parts = grains.StreamProxyAsync(CheckedId(id), new ProxyRequest
        {
            WorkspaceId = workspace,
            WorkflowId = body.WorkflowId ?? "",
            StepId = body.StepId ?? "",
            Method = body.Method?.ToUpperInvariant() ?? "GET",
            Path = body.Path ?? "",
            Query = body.Query?.ToList() ?? [],
            Headers = body.Headers ?? [],
            Body = payload,
            ContentType = body.ContentType,
        }, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // Everything that can go wrong before the app's head arrives is one of the service's own problems (a 4xx or 502).
            if (!await parts.MoveNextAsync() || parts.Current.Head is not { } head) throw new InvalidOperationException("A streamed proxy answer began without its head.");
            return new ProxiedAnswer(head, parts);
        }
        catch
        {
            await parts.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// The app's answer as the app gives it (less what the proxy drops), passed on as it comes and marked so a caller can
    /// tell it from the service's own errors. Once the head is sent, a failure can no longer become a problem answer: the
    /// connection is cut instead, so a client sees a broken transfer and never a short body that looks whole.
    /// </summary>
    private sealed class ProxiedAnswer(ProxyHead head, IAsyncEnumerator<ProxyPart> parts) : IResult
    {
        public const string MarkHeader = "Accounts-Proxied";

        public async Task ExecuteAsync(HttpContext httpContext)
        {
            await using var rest = parts;
            var response = httpContext.Response;
            response.StatusCode = head.Status;
            foreach (var (name, value) in head.Headers)
            {
                if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase)) response.ContentType = value;
                else response.Headers.Append(name, value);
            }
            response.Headers[MarkHeader] = "true";
            response.ContentLength = head.Length;
            try
            {
                while (await rest.MoveNextAsync()) await response.Body.WriteAsync(rest.Current.Data, httpContext.RequestAborted);
            }
            catch (ProxyFailedException)
            {
                // The grain has audited the failure; the caller learns of it the only way left.
                httpContext.Abort();
            }
        }
    }

    public sealed record AuditView(IReadOnlyList<AuditEvent> Items);
}

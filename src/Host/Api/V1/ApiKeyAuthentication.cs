using System.Security.Claims;
using System.Text.Encodings.Web;
using Accounts.Orleans.Access;
using Accounts.Orleans.Contracts.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// <c>Authorization: Bearer aok_…</c> on <c>/v1</c>: the key is checked the way the silo checks a grain call's (the
/// same resolver and cache), so a revoke holds on HTTP within the same two seconds. The key itself then travels with
/// the grain calls the request makes (<see cref="ForwardKey"/>), and each grain judges scope and workspace from it.
/// </summary>
public sealed class ApiKeyAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    PrincipalResolver resolver)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string WorkspaceClaim = "workspace";
    public const string ScopeClaim = "scope";

    /// <summary>The bearer key of <paramref name="request"/>, or null when it carries none.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (KeyOf(Request) is not { } key) return AuthenticateResult.NoResult();
        if (await resolver.ResolveKeyAsync(key) is not { } principal) return AuthenticateResult.Fail("The API key is not valid.");
        var claims = new List<Claim> { new(ClaimTypes.Name, principal.Name) };
        if (principal.WorkspaceId is { } workspace) claims.Add(new Claim(WorkspaceClaim, workspace));
        claims.AddRange(principal.Scopes.Select(scope => new Claim(ScopeClaim, scope)));
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName)), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblemAsync(StatusCodes.Status401Unauthorized, "A valid API key is required: Authorization: Bearer aok_….");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
        => WriteProblemAsync(StatusCodes.Status403Forbidden, "This API key may not do that.");

    private Task WriteProblemAsync(int status, string title)
    {
        Response.StatusCode = status;
        return Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title },
        }).AsTask();
    }

    /// <summary>
    /// Sends the request's key with every grain call its endpoint makes: the grains verify it again (from the cache)
    /// and take the workspace, scopes and audit actor from it, exactly as for an Orleans client.
    /// </summary>
    public static async ValueTask<object?> ForwardKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        // Authentication ran first: an endpoint of /v1 is only reached with a key.
        RequestContext.Set(ApiKeyContext.Key, KeyOf(context.HttpContext.Request) ?? "");
        try
        {
            return await next(context);
        }
        finally
        {
            RequestContext.Clear();
        }
    }
}

/// <summary>What the verified key of an HTTP request says about its caller.</summary>
public static class ApiCaller
{
    public static string Name(this ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    /// <summary>The key's workspace; null for a key of every workspace.</summary>
    public static string? Workspace(this ClaimsPrincipal user) => user.FindFirstValue(ApiKeyAuthentication.WorkspaceClaim);
}

using System.Net;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Storage;
using Microsoft.Extensions.Primitives;

namespace Accounts.Orleans.Host.Api;

/// <summary>
/// <c>GET /oauth/callback</c>: where an app sends the person after consent. Answers with a small self-contained HTML
/// page (no scripts or third-party resources, no referrer), never a stack trace, whatever the query holds.
/// </summary>
public static partial class OAuthCallbackEndpoint
{
    public const string Path = "/oauth/callback";
    // Authorization codes run to a couple of KiB at most; Kestrel itself refuses request lines over 8 KiB.
    private const int MaxQueryLength = 4096;

    public static void MapOAuthCallback(this IEndpointRouteBuilder routes) => routes.MapGet(Path, HandleAsync).ExcludeFromDescription();

    private static async Task HandleAsync(HttpContext context, IGrainFactory grains, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        if (context.Request.QueryString.Value is { Length: > MaxQueryLength })
        {
            await PageAsync(context, HttpStatusCode.BadRequest, "This sign-in link is not valid", "The address is too long to be a sign-in answer.");
            return;
        }
        if (query.Any(p => p.Value.Count > 1))
        {
            await PageAsync(context, HttpStatusCode.BadRequest, "This sign-in link is not valid", "A parameter appears more than once.");
            return;
        }
        var state = Single(query, "state");
        if (!OAuthState.IsWellFormed(state))
        {
            await PageAsync(context, HttpStatusCode.BadRequest, "This sign-in link is not valid", "It does not belong to a sign-in this service started.");
            return;
        }
        try
        {
            var completed = await grains.GetGrain<IOAuthFlowGrain>(state!).CompleteAsync(
                new OAuthCallback(Single(query, "code"), Single(query, "error"), Single(query, "error_description"), Single(query, "iss")));
            if (completed.ConnectSessionId is { } session
                && (await grains.GetGrain<IConnectSessionGrain>(session).GetAsync()).SuccessRedirectUrl is { } back)
            {
                context.Response.Redirect(Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(back,
                    new Dictionary<string, string?> { ["connect_session_id"] = session, ["account_id"] = completed.AccountId }));
                return;
            }
            var message = completed.Reconnected
                ? "The account was reconnected. Every workflow that uses it keeps working."
                : "The account is connected. You can close this window.";
            await PageAsync(context, HttpStatusCode.OK, "Connected", completed.Warning is null ? message : $"{message} Note: {completed.Warning}");
        }
        catch (OAuthFlowException e)
        {
            // A person who came from a connect link may try again there; the session stays open until it is used.
            var again = context.Request.Cookies.ContainsKey(Connect.ConnectPage.CookieName) ? " You can go back to the connect page and try again." : "";
            await PageAsync(context, e.Kind == OAuthFlowError.Denied ? HttpStatusCode.OK : HttpStatusCode.BadRequest, "The account was not connected", e.Message + again);
        }
        catch (AccountException e)
        {
            await PageAsync(context, HttpStatusCode.BadRequest, "The account was not connected", e.Message);
        }
        catch (Exception e) when (e is StorageUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException)
        {
            LogUnavailable(loggers.CreateLogger(typeof(OAuthCallbackEndpoint)), e.GetType().Name);
            await PageAsync(context, HttpStatusCode.ServiceUnavailable, "Please try again", "The service is briefly unavailable. Go back and sign in again in a minute.");
        }
    }

    private static string? Single(IQueryCollection query, string name)
        => query.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values[0] : null;

    private static async Task PageAsync(HttpContext context, HttpStatusCode status, string title, string message)
    {
        var response = context.Response;
        response.StatusCode = (int)status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        response.Headers.CacheControl = "no-store";
        await response.WriteAsync($$"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{{WebUtility.HtmlEncode(title)}}</title>
            <style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#222}h1{font-size:1.4rem}</style>
            </head><body><h1>{{WebUtility.HtmlEncode(title)}}</h1><p>{{WebUtility.HtmlEncode(message)}}</p></body></html>
            """);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth callback could not reach its flow ({Error})")]
    private static partial void LogUnavailable(ILogger logger, string error);
}

using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Connect;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;
using static Accounts.Orleans.Host.Connect.ConnectHtml;

namespace Accounts.Orleans.Host.Api;

/// <summary>
/// <c>GET /oauth/callback</c>: where an app sends the person after consent. Completes the flow only in the browser that
/// opened it (its <c>__Host-</c> cookie, see <see cref="OAuthBrowserBinding"/>), checked before any grain is touched.
/// Answers with a page of the connect page's kind, or sends a connect session's person back to its backend; never a
/// stack trace, whatever the query holds.
/// </summary>
public static partial class OAuthCallbackEndpoint
{
    public const string Path = "/oauth/callback";
    // Authorization codes run to a couple of KiB at most; Kestrel itself refuses request lines over 8 KiB.
    private const int MaxQueryLength = 4096;
    private const string NotValid = "This sign-in link is not valid";
    private const string NotConnected = "The account was not connected";

    public static void MapOAuthCallback(this IEndpointRouteBuilder routes)
        => routes.MapGet(Path, HandleAsync).ExcludeFromDescription().RequireRateLimiting(ApiHosting.BrowserRateLimitPolicy);

    private static async Task HandleAsync(HttpContext context, IGrainFactory grains, OAuthBrowserBinding binding, ILoggerFactory loggers)
    {
        var query = context.Request.Query;
        if (context.Request.QueryString.Value is { Length: > MaxQueryLength })
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, NotValid, Paragraph("The address is too long to be a sign-in answer.", "error"));
            return;
        }
        if (query.Any(p => p.Value.Count > 1))
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, NotValid, Paragraph("A parameter appears more than once.", "error"));
            return;
        }
        var state = Single(query, "state");
        if (!OAuthState.IsWellFormed(state))
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, NotValid, Paragraph("It does not belong to a sign-in this service started.", "error"));
            return;
        }
        if (!binding.Matches(state!, context.Request.Cookies[OAuthBrowserBinding.CookieName(state!)]))
        {
            LogUnbound(loggers.CreateLogger(typeof(OAuthCallbackEndpoint)));
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, NotConnected,
                Paragraph("This sign-in was not started in this browser, so nothing was connected. If you meant to connect an account, start again from the page or link you were given, in this browser.", "error"));
            return;
        }
        try
        {
            var completed = await grains.OAuthBrowserFlow(state!).CompleteAsync(
                new OAuthCallback(Single(query, "code"),
                    // An OAuth 1.0a app that was refused says so with denied=<request token> (X) or by leaving out the verifier.
                    Single(query, "error") ?? (Single(query, "denied") is null ? null : "access_denied"),
                    Single(query, "error_description"), Single(query, "iss"), Single(query, "oauth_token"), Single(query, "oauth_verifier")));
            OAuthStartPage.Forget(context, state!);
            await ConnectedAsync(context, grains, completed);
        }
        catch (OAuthFlowException e)
        {
            OAuthStartPage.Forget(context, state!);
            await FailedAsync(context, grains, e.Kind == OAuthFlowError.Denied ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest, e.Message, e.Code);
        }
        catch (AccountException e)
        {
            OAuthStartPage.Forget(context, state!);
            await FailedAsync(context, grains, StatusCodes.Status400BadRequest, e.Message, "connect_failed");
        }
        catch (Exception e) when (ConnectPage.IsUnavailable(e))
        {
            LogUnavailable(loggers.CreateLogger(typeof(OAuthCallbackEndpoint)), e.GetType().Name);
            await ConnectPage.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Please try again", Paragraph("The service is briefly unavailable. Go back and sign in again in a minute.", "error"));
        }
    }

    private static async Task ConnectedAsync(HttpContext context, IGrainFactory grains, OAuthCompleted completed)
    {
        var message = completed.Reconnected
            ? "The account was reconnected. Every workflow that uses it keeps working."
            : "The account is connected.";
        // A reconnect that signed in as someone else keeps the account, but the person should know before going on.
        var body = Paragraph(message, "success") + (completed.Warning is { } warning ? Paragraph(warning, "warning") : "");
        var back = completed.ConnectSessionId is { } session ? (await grains.GetGrain<IConnectSessionGrain>(session).GetAsync()).SuccessRedirectUrl : null;
        if (back is null)
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status200OK, "Connected", body + Paragraph("You can close this window.", "muted"));
            return;
        }
        var to = QueryHelpers.AddQueryString(back, new Dictionary<string, string?>
        {
            ["connect_session_id"] = completed.ConnectSessionId,
            ["account_id"] = completed.AccountId,
            ["identity_changed"] = completed.Warning is null ? null : "true",
        });
        if (completed.Warning is null) context.Response.Redirect(to);
        else await ConnectPage.WriteAsync(context, StatusCodes.Status200OK, "Connected", body + Link(to, "Continue"));
    }

    /// <summary>
    /// A failed consent leaves a connect session open: the person may try again there, or go back to the backend with
    /// the error's code when the session names where.
    /// </summary>
    private static async Task FailedAsync(HttpContext context, IGrainFactory grains, int status, string message, string code)
    {
        var body = Paragraph(message, "error");
        if (await ConnectPage.SessionOfThisBrowserAsync(context, grains) is { } session)
        {
            body += Paragraph("") + Link(ConnectPage.Path, "Try again");
            if (session.ErrorRedirectUrl is { } back)
                body += " · " + Link(QueryHelpers.AddQueryString(back, new Dictionary<string, string?> { ["connect_session_id"] = session.Id, ["error"] = code }), "Go back");
        }
        await ConnectPage.WriteAsync(context, status, NotConnected, body);
    }

    private static string? Single(IQueryCollection query, string name)
        => query.TryGetValue(name, out var values) && !StringValues.IsNullOrEmpty(values) ? values[0] : null;

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth callback could not reach its flow ({Error})")]
    private static partial void LogUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth callback refused: the browser does not hold the flow's binding cookie")]
    private static partial void LogUnbound(ILogger logger);
}

using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.Extensions.Options;
using static Accounts.Orleans.Host.Connect.ConnectHtml;

namespace Accounts.Orleans.Host.Connect;

/// <summary>
/// Where a flow started outside a browser (the console, an Orleans client) is opened: <c>GET /connect/oauth?flow=</c>
/// says what will be connected and where, and its button (a same-origin POST, so a link or another site's form cannot
/// press it) binds the flow to this browser and goes on to the app. A link prefetched by a mail scanner binds nothing.
/// </summary>
public static class OAuthStartPage
{
    public const string Path = ConnectPage.Path + "/oauth";

    public static void MapOAuthStart(this IEndpointRouteBuilder routes)
    {
        routes.MapGet(Path, PreviewAsync).ExcludeFromDescription().RequireRateLimiting(Api.ApiHosting.BrowserRateLimitPolicy);
        routes.MapPost(Path, StartAsync).ExcludeFromDescription().RequireRateLimiting(Api.ApiHosting.BrowserRateLimitPolicy);
    }

    private static async Task PreviewAsync(HttpContext context, IGrainFactory grains)
    {
        var state = context.Request.Query["flow"] is { Count: 1 } given ? given[0] ?? "" : "";
        if (!OAuthState.IsWellFormed(state))
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, "This sign-in link is not valid", Paragraph("Start again from where you were given it.", "error"));
            return;
        }
        try
        {
            var flow = await grains.OAuthBrowserFlow(state).PreviewAsync();
            var app = await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(flow.AppSlug);
            var name = app?.Name ?? flow.AppSlug;
            var what = flow.ReconnectAccountId is null
                ? $"This connects your {name} account to workspace “{flow.WorkspaceId}” as “{flow.Nickname}”."
                : $"This connects the {name} account “{flow.Nickname}” of workspace “{flow.WorkspaceId}” again.";
            await ConnectPage.WriteAsync(context, StatusCodes.Status200OK, $"Connect {name}",
                Paragraph(what) + Paragraph($"You will sign in at {name} in this browser and come back here. Go on only if you started this.", "muted")
                + Button(Path, $"Continue to {name}", ("flow", state)));
        }
        catch (OAuthFlowException e)
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status410Gone, "This sign-in cannot be started", Paragraph(e.Message, "error"));
        }
        catch (Exception e) when (ConnectPage.IsUnavailable(e))
        {
            await ConnectPage.WriteUnavailableAsync(context);
        }
    }

    private static async Task StartAsync(HttpContext context, IGrainFactory grains, OAuthBrowserBinding binding, IOptions<ConnectionsOptions> options)
    {
        if (!await ConnectPage.RequireSameOriginAsync(context)) return;
        if (await ConnectPage.ReadFormAsync(context) is not { } form) return;
        var state = form["flow"].ToString();
        if (!OAuthState.IsWellFormed(state))
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status400BadRequest, "This sign-in link is not valid", Paragraph("Start again from where you were given it.", "error"));
            return;
        }
        try
        {
            await GoToAppAsync(context, grains, binding, options.Value, state);
        }
        catch (OAuthFlowException e)
        {
            await ConnectPage.WriteAsync(context, StatusCodes.Status410Gone, "This sign-in cannot be started", Paragraph(e.Message, "error"));
        }
        catch (Exception e) when (ConnectPage.IsUnavailable(e))
        {
            await ConnectPage.WriteUnavailableAsync(context);
        }
    }

    /// <summary>Binds the flow to this browser (its cookie) and sends the browser to the app's consent.</summary>
    /// <exception cref="OAuthFlowException">The flow is unknown, over, or was opened in another browser.</exception>
    internal static async Task GoToAppAsync(HttpContext context, IGrainFactory grains, OAuthBrowserBinding binding, ConnectionsOptions options, string state)
    {
        var authorize = await grains.OAuthBrowserFlow(state).OpenAsync();
        context.Response.Cookies.Append(OAuthBrowserBinding.CookieName(state), binding.Tag(state), new CookieOptions
        {
            // Lax: the app's redirect back is a top-level GET from its site, which carries Lax cookies and nothing else needs to.
            HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, Path = "/", IsEssential = true, MaxAge = options.FlowLifetime,
        });
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Redirect(authorize, permanent: false);
    }

    /// <summary>Forgets a flow's cookie once its callback has been answered.</summary>
    internal static void Forget(HttpContext context, string state)
        => context.Response.Cookies.Delete(OAuthBrowserBinding.CookieName(state), new CookieOptions { HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, Path = "/" });
}

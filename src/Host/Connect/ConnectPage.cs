using System.Text;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using static Accounts.Orleans.Host.Connect.ConnectHtml;

namespace Accounts.Orleans.Host.Connect;

/// <summary>
/// The hosted connect page a connect session's link opens. Server-rendered, no script, no third-party asset. The
/// token arrives once in the link; the page moves it into a <c>__Host-</c> cookie (HttpOnly, SameSite=Lax) and
/// forgets the URL, so it is not left in history, logs or a Referer. Every action goes to the session grain with
/// that token, which confines it to the session's workspace and apps whatever the form says.
/// </summary>
public static partial class ConnectPage
{
    public const string Path = "/connect";
    public const string CookieName = "__Host-connect";
    private const long MaxFormBytes = 64 * 1024;
    private const int ListLimit = 50;

    public static void MapConnectPage(this IEndpointRouteBuilder routes)
    {
        var page = routes.MapGroup(Path).ExcludeFromDescription().RequireRateLimiting(Api.ApiHosting.BrowserRateLimitPolicy);
        page.MapGet("/", HomeAsync);
        page.MapGet("/apps/{slug}", AppAsync);
        page.MapPost("/apps/{slug}/keys", ConnectWithKeysAsync);
        page.MapPost("/apps/{slug}/oauth", StartOAuthAsync);
        page.MapPost("/accounts/choose", ChooseAsync);
        routes.MapOAuthStart();
        routes.MapGet(StylePath, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Text(Style, "text/css; charset=utf-8");
        }).ExcludeFromDescription();
    }

    private static async Task HomeAsync(HttpContext context, IGrainFactory grains)
    {
        if (context.Request.Query.TryGetValue("token", out var fromLink))
        {
            // First visit from the link: keep the token in a cookie and show a URL without it.
            var token = fromLink.Count == 1 ? fromLink[0] : null;
            if (await OpenAsync(context, grains, token) is null) return;
            context.Response.Cookies.Append(CookieName, token!, new CookieOptions
            {
                HttpOnly = true, Secure = true, SameSite = SameSiteMode.Lax, Path = "/", IsEssential = true,
            });
            context.Response.Headers.CacheControl = "no-store";
            context.Response.Redirect(Path, permanent: false);
            return;
        }
        if (await OpenFromCookieAsync(context, grains) is not { } session) return;
        var search = Single(context.Request.Query, "q")?.Trim();
        var apps = await AllowedAppsAsync(grains, session.View, search);
        var body = new StringBuilder();
        body.Append(Paragraph(session.View.ReconnectAccountId is null ? "Choose the app to connect." : "Connect the account again to keep it working."));
        body.Append($"""<form class="search" method="get" action="{Path}" role="search"><div><label for="q">Search apps</label>""")
            .Append($"""<input id="q" type="search" name="q" maxlength="100" value="{Text(search)}"></div><button type="submit">Search</button></form>""");
        if (apps.Count == 0) body.Append(Paragraph(search is null ? "No app is offered." : $"No app matches “{search}”.", "muted"));
        else
        {
            body.Append("<ul class=\"apps\">");
            foreach (var app in apps)
                body.Append($"""<li><a href="{Path}/apps/{Text(app.Slug)}"><span>{Text(app.Name)}</span><span class="kind">{Text(HowItConnects(app))}</span></a></li>""");
            body.Append("</ul>");
        }
        if (session.View.ErrorRedirectUrl is { } back)
            body.Append(Paragraph("")).Append(Link(QueryHelpers.AddQueryString(back, new Dictionary<string, string?> { ["connect_session_id"] = session.View.Id, ["error"] = "cancelled" }), "Cancel and go back"));
        await WriteAsync(context, StatusCodes.Status200OK, "Connect an account", body.ToString());
    }

    private static async Task AppAsync(HttpContext context, IGrainFactory grains, string slug)
    {
        if (await OpenFromCookieAsync(context, grains) is not { } session) return;
        if (await AllowedAppAsync(context, grains, session.View, slug) is not { } app) return;
        await WriteAsync(context, StatusCodes.Status200OK, $"Connect {app.Name}", await AppBodyAsync(grains, session.View, app, errors: null, values: null));
    }

    private static async Task ConnectWithKeysAsync(HttpContext context, IGrainFactory grains, string slug)
    {
        if (await OpenFromCookieAsync(context, grains, post: true) is not { } session) return;
        if (await AllowedAppAsync(context, grains, session.View, slug) is not { } app) return;
        if (await ReadFormAsync(context) is not { } form) return;
        var fields = app.Fields.ToDictionary(f => f.Name, f => form[$"field.{f.Name}"].ToString(), StringComparer.Ordinal);
        var nickname = form["nickname"].ToString() is { Length: > 0 } given ? given : app.Name;
        try
        {
            var account = await grains.GetGrain<IConnectSessionUseGrain>(session.View.Id).ConnectWithKeysAsync(session.Token, app.Slug, nickname, fields);
            await FinishAsync(context, session.View, account.Id, $"{app.Name} is connected as “{account.Nickname}”.");
        }
        catch (AccountValidationException e)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, $"Connect {app.Name}", await AppBodyAsync(grains, session.View, app, e.Errors, form));
        }
        catch (WorkspaceLimitReachedException e)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, $"Connect {app.Name}", Paragraph(e.Message, "error"));
        }
        catch (KeyVerificationFailedException e)
        {
            var errors = new Dictionary<string, string[]> { [""] = [$"{app.Name} did not accept these credentials: {e.AppAnswer}"] };
            await WriteAsync(context, StatusCodes.Status422UnprocessableEntity, $"Connect {app.Name}", await AppBodyAsync(grains, session.View, app, errors, form));
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            await WriteUnavailableAsync(context);
        }
    }

    private static async Task StartOAuthAsync(HttpContext context, IGrainFactory grains, Connections.OAuthBrowserBinding binding, IOptions<Connections.ConnectionsOptions> options, string slug)
    {
        if (await OpenFromCookieAsync(context, grains, post: true) is not { } session) return;
        if (await AllowedAppAsync(context, grains, session.View, slug) is not { } app) return;
        IFormCollection? form = null;
        if (app.Settings.Count > 0 && (form = await ReadFormAsync(context)) is null) return;
        try
        {
            var settings = app.Settings.Where(s => form?[$"setting.{s.Name}"].ToString() is { Length: > 0 })
                .ToDictionary(s => s.Name, s => form![$"setting.{s.Name}"].ToString(), StringComparer.Ordinal);
            var started = await grains.GetGrain<IConnectSessionUseGrain>(session.View.Id).StartOAuthAsync(session.Token, app.Slug, app.Name, settings);
            // The page was opened in this browser, so the flow is bound to it at once, without the start page's question.
            await OAuthStartPage.GoToAppAsync(context, grains, binding, options.Value, started.State);
        }
        catch (WorkspaceLimitReachedException e)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, $"Connect {app.Name}", Paragraph(e.Message, "error"));
        }
        catch (AccountValidationException e)
        {
            // Only the settings come from the person; any other refusal is the session's, which the person cannot fix.
            var errors = e.Errors.Where(p => p.Key.StartsWith("settings", StringComparison.Ordinal)).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            await WriteAsync(context, StatusCodes.Status400BadRequest, $"Connect {app.Name}",
                await AppBodyAsync(grains, session.View, app, errors.Count > 0 ? errors : new Dictionary<string, string[]> { [""] = ["This connection cannot be started."] }, form));
        }
        catch (OAuthClientNotConfiguredException)
        {
            await WriteAsync(context, StatusCodes.Status409Conflict, $"Connect {app.Name}", Paragraph($"{app.Name} cannot be connected here yet: this service has no sign-in set up for it. Tell whoever sent you this link.", "error"));
        }
        catch (OAuthFlowException e)
        {
            // An OAuth 1.0a app refused to start a consent (no request token): nobody is sent to a page that cannot work.
            await WriteAsync(context, StatusCodes.Status502BadGateway, $"Connect {app.Name}", Paragraph(e.Message, "error") + Paragraph("Try again in a moment.", "muted"));
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            await WriteUnavailableAsync(context);
        }
    }

    private static async Task ChooseAsync(HttpContext context, IGrainFactory grains)
    {
        if (await OpenFromCookieAsync(context, grains, post: true) is not { } session) return;
        if (await ReadFormAsync(context) is not { } form) return;
        var accountId = form["accountId"].ToString();
        try
        {
            await grains.GetGrain<IConnectSessionUseGrain>(session.View.Id).ChooseAccountAsync(session.Token, accountId);
            await FinishAsync(context, session.View, accountId, "The account you chose will be used.");
        }
        catch (AccountNotFoundException)
        {
            await WriteAsync(context, StatusCodes.Status404NotFound, "Account not found", Paragraph("That account is not one you can choose here.", "error") + Link(Path, "Back to the apps"));
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            await WriteUnavailableAsync(context);
        }
    }

    /// <summary>The session is spent: back to the backend when it named where, or a page that says so.</summary>
    private static async Task FinishAsync(HttpContext context, ConnectSessionView session, string accountId, string message)
    {
        if (session.SuccessRedirectUrl is { } back)
        {
            context.Response.Redirect(QueryHelpers.AddQueryString(back, new Dictionary<string, string?> { ["connect_session_id"] = session.Id, ["account_id"] = accountId }));
            return;
        }
        await WriteAsync(context, StatusCodes.Status200OK, "Connected", Paragraph(message, "success") + Paragraph("You can close this window.", "muted"));
    }

    private static async Task<string> AppBodyAsync(IGrainFactory grains, ConnectSessionView session, AppDefinition app, IReadOnlyDictionary<string, string[]>? errors, IFormCollection? values)
    {
        var body = new StringBuilder();
        if (errors is not null && errors.TryGetValue("", out var general)) body.Append(Paragraph(string.Join(" ", general), "error"));
        else if (errors is not null) body.Append(Paragraph("Some values need another look.", "error"));
        if (session.ReconnectAccountId is null)
        {
            var existing = (await grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = session.WorkspaceId, AppSlug = app.Slug, Limit = 20 }))
                .Items.Where(a => a.Health != AccountHealth.Deleted).ToList();
            if (existing.Count > 0)
            {
                body.Append("<h2>Use an account you already connected</h2><ul class=\"accounts\">");
                foreach (var account in existing)
                {
                    body.Append($"<li><span>{Text(account.Nickname)}</span>")
                        .Append(Button($"{Path}/accounts/choose", "Use this account", ("accountId", account.Id))).Append("</li>");
                }
                body.Append("</ul><h2>Or connect another</h2>");
            }
        }
        if (app.AuthType.Consents())
        {
            body.Append(Paragraph($"You will sign in at {app.Name} and choose what to share; you come back here after."));
            if (app.Settings.Count == 0) body.Append(Button($"{Path}/apps/{app.Slug}/oauth", $"Continue to {app.Name}"));
            else
            {
                // Where the account lives (a shop, a region) is asked first: it decides which sign-in page is the app's.
                body.Append($"""<form method="post" action="{Path}/apps/{Text(app.Slug)}/oauth" autocomplete="off">""");
                if (errors?.GetValueOrDefault("settings") is { } unreachable) body.Append(Paragraph(string.Join(" ", unreachable), "error"));
                foreach (var setting in app.Settings)
                {
                    var value = values?[$"setting.{setting.Name}"].ToString() is { Length: > 0 } typed ? typed : setting.Default ?? "";
                    body.Append(setting.Choices.Count > 0
                        ? Choice($"setting.{setting.Name}", setting.Label, setting.Choices, value, setting.HelpText, errors, $"settings.{setting.Name}")
                        : Input($"setting.{setting.Name}", setting.Label, "text", value, setting.Required && setting.Default is null, setting.Pattern,
                            ConnectionSetting.MaxLength, setting.HelpText, errors, errorKey: $"settings.{setting.Name}"));
                }
                body.Append($"<button type=\"submit\">Continue to {Text(app.Name)}</button></form>");
            }
        }
        else
        {
            body.Append($"""<form method="post" action="{Path}/apps/{Text(app.Slug)}/keys" autocomplete="off">""");
            if (session.ReconnectAccountId is null)
                body.Append(Input("nickname", "Name for this account", "text", values?["nickname"].ToString() ?? "", required: false, pattern: null, maxLength: 100, help: "Shown in lists; optional.", errors));
            foreach (var field in app.Fields)
            {
                // A secret typed before is never sent back: the person types it again.
                var value = field.Secret ? "" : values?[$"field.{field.Name}"].ToString() ?? "";
                var type = field.Format == KeyFieldFormat.PrivateKey ? "textarea" : field.Secret ? "password" : "text";
                body.Append(Input($"field.{field.Name}", field.Label, type, value, field.Required, field.Pattern, field.MaxLength, field.HelpText, errors, errorKey: $"fields.{field.Name}"));
            }
            body.Append("<button type=\"submit\">Connect</button></form>");
        }
        body.Append(Paragraph("")).Append(Link(Path, "Back to the apps"));
        return body.ToString();
    }

    private static string Input(string name, string label, string type, string value, bool required, string? pattern, int maxLength, string? help,
        IReadOnlyDictionary<string, string[]>? errors, string? errorKey = null)
    {
        var id = "f-" + name.Replace('.', '-');
        var html = new StringBuilder($"<label for=\"{Text(id)}\">{Text(label)}</label>");
        var described = new List<string>();
        if (help is not null) described.Add(id + "-help");
        var fieldErrors = errors?.GetValueOrDefault(errorKey ?? name);
        if (fieldErrors is not null) described.Add(id + "-error");
        // A PEM key has lines, which an input would flatten; it is never sent back, so the area starts empty.
        html.Append(type == "textarea"
            ? $"<textarea id=\"{Text(id)}\" name=\"{Text(name)}\" rows=\"8\" maxlength=\"{maxLength}\""
            : $"<input id=\"{Text(id)}\" name=\"{Text(name)}\" type=\"{type}\" value=\"{Text(value)}\" maxlength=\"{maxLength}\"");
        // The browser checks the same rule as the server (which checks it again): a .NET pattern close enough to
        // JavaScript's for the catalog's rules; the server has the last word.
        if (pattern is not null) html.Append($" pattern=\"{Text(pattern.TrimStart('^').TrimEnd('$'))}\"");
        if (required) html.Append(" required");
        if (fieldErrors is not null) html.Append(" aria-invalid=\"true\"");
        if (described.Count > 0) html.Append($" aria-describedby=\"{Text(string.Join(' ', described))}\"");
        html.Append(type switch
        {
            "password" => " autocomplete=\"new-password\">",
            "textarea" => " autocomplete=\"off\" spellcheck=\"false\"></textarea>",
            _ => " autocomplete=\"off\" spellcheck=\"false\">",
        });
        if (help is not null) html.Append($"<p class=\"help\" id=\"{Text(id)}-help\">{Text(help)}</p>");
        if (fieldErrors is not null) html.Append($"<p class=\"field-error\" id=\"{Text(id)}-error\">{Text(string.Join(" ", fieldErrors))}</p>");
        return html.ToString();
    }

    private static string Choice(string name, string label, IReadOnlyList<string> choices, string value, string? help,
        IReadOnlyDictionary<string, string[]>? errors, string errorKey)
    {
        var id = "f-" + name.Replace('.', '-');
        var html = new StringBuilder($"<label for=\"{Text(id)}\">{Text(label)}</label><select id=\"{Text(id)}\" name=\"{Text(name)}\"");
        var fieldErrors = errors?.GetValueOrDefault(errorKey);
        if (fieldErrors is not null) html.Append($" aria-invalid=\"true\" aria-describedby=\"{Text(id)}-error\"");
        html.Append('>');
        foreach (var choice in choices)
            html.Append($"<option value=\"{Text(choice)}\"{(choice == value ? " selected" : "")}>{Text(choice)}</option>");
        html.Append("</select>");
        if (help is not null) html.Append($"<p class=\"help\">{Text(help)}</p>");
        if (fieldErrors is not null) html.Append($"<p class=\"field-error\" id=\"{Text(id)}-error\">{Text(string.Join(" ", fieldErrors))}</p>");
        return html.ToString();
    }

    private static string HowItConnects(AppDefinition app) => app.AuthType switch
    {
        AuthType.OAuth2 or AuthType.OAuth1 => $"Sign in with {app.Name}",
        AuthType.ClientCredentials => "Client ID and secret",
        AuthType.JwtBearer => "Service account key",
        _ => "API key",
    };

    private static async Task<List<AppDefinition>> AllowedAppsAsync(IGrainFactory grains, ConnectSessionView session, string? search)
    {
        var reader = grains.GetGrain<IAppCatalogReaderGrain>(0);
        if (session.Apps.Count == 0)
            return [.. (await reader.ListAppsAsync(new AppQuery { Text = string.IsNullOrEmpty(search) ? null : search, Limit = ListLimit })).Items];
        var apps = new List<AppDefinition>();
        foreach (var slug in session.Apps)
        {
            if (await reader.GetAppAsync(slug) is { Disabled: false } app
                && (string.IsNullOrEmpty(search) || app.Name.Contains(search, StringComparison.OrdinalIgnoreCase) || app.Slug.Contains(search, StringComparison.OrdinalIgnoreCase)))
                apps.Add(app);
        }
        return [.. apps.OrderBy(a => a.Name, StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The app, when the session offers it; otherwise a page that says so (and null).</summary>
    private static async Task<AppDefinition?> AllowedAppAsync(HttpContext context, IGrainFactory grains, ConnectSessionView session, string slug)
    {
        var app = slug.Length <= 64 ? await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(slug) : null;
        if (app is { Disabled: false } && (session.Apps.Count == 0 || session.Apps.Contains(app.Slug))) return app;
        await WriteAsync(context, StatusCodes.Status404NotFound, "App not offered", Paragraph("This link does not offer that app.", "error") + Link(Path, "Back to the apps"));
        return null;
    }

    private sealed record OpenSession(string Token, ConnectSessionView View);

    private static async Task<OpenSession?> OpenFromCookieAsync(HttpContext context, IGrainFactory grains, bool post = false)
    {
        // The cookie is SameSite=Lax, so another site's form cannot carry it; the browser's word on where a POST came
        // from is checked as well.
        if (post && !await RequireSameOriginAsync(context)) return null;
        var token = context.Request.Cookies[CookieName];
        return await OpenAsync(context, grains, token) is { } view ? new OpenSession(token!, view) : null;
    }

    /// <summary>The session a token opens, or a page that says why not (and null).</summary>
    private static async Task<ConnectSessionView?> OpenAsync(HttpContext context, IGrainFactory grains, string? token)
    {
        if (!Connections.ConnectTokens.TryParse(token, out var id, out _))
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "This link is not valid", Paragraph("Open the connect link you were given again, or ask for a new one.", "error"));
            return null;
        }
        try
        {
            return await grains.GetGrain<IConnectSessionUseGrain>(id).OpenAsync(token!);
        }
        catch (ConnectSessionRefusedException e)
        {
            var status = e.Reason == ConnectSessionRefusal.Unknown ? StatusCodes.Status400BadRequest : StatusCodes.Status410Gone;
            await WriteAsync(context, status, e.Reason == ConnectSessionRefusal.Spent ? "This link was already used" : e.Reason == ConnectSessionRefusal.Expired ? "This link has expired" : "This link is not valid",
                Paragraph(e.Message, "error"));
            return null;
        }
        catch (Exception e) when (IsUnavailable(e))
        {
            await WriteUnavailableAsync(context);
            return null;
        }
    }

    /// <summary>The pending session this browser's cookie opens, if any; never writes a page.</summary>
    internal static async Task<ConnectSessionView?> SessionOfThisBrowserAsync(HttpContext context, IGrainFactory grains)
    {
        var token = context.Request.Cookies[CookieName];
        if (!Connections.ConnectTokens.TryParse(token, out var id, out _)) return null;
        try
        {
            return await grains.GetGrain<IConnectSessionUseGrain>(id).OpenAsync(token!);
        }
        catch (Exception e) when (e is ConnectSessionRefusedException || IsUnavailable(e))
        {
            return null;
        }
    }

    /// <summary>
    /// Whether a POST came from a page of this Host, by what the browser says: <c>Sec-Fetch-Site</c>, or where a
    /// browser does not send it, <c>Origin</c>. Otherwise answers 403 and returns false.
    /// </summary>
    internal static async Task<bool> RequireSameOriginAsync(HttpContext context)
    {
        var headers = context.Request.Headers;
        var sameOrigin = headers["Sec-Fetch-Site"].ToString() is { Length: > 0 } site
            ? site is "same-origin" or "none"
            : headers.Origin.ToString() is not { Length: > 0 } origin
              || (Uri.TryCreate(origin, UriKind.Absolute, out var from) && string.Equals(from.Authority, context.Request.Host.Value, StringComparison.OrdinalIgnoreCase));
        if (!sameOrigin) await WriteAsync(context, StatusCodes.Status403Forbidden, "Not allowed", Paragraph("This form must be sent from this page.", "error"));
        return sameOrigin;
    }

    internal static bool IsUnavailable(Exception e) => e is StorageUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException;

    internal static Task WriteUnavailableAsync(HttpContext context)
        => WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "Please try again", Paragraph("The service is briefly unavailable. Reload this page in a minute.", "error"));

    internal static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType || context.Request.ContentLength > MaxFormBytes)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Not allowed", Paragraph("The form could not be read.", "error"));
            return null;
        }
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = MaxFormBytes;
        try
        {
            var form = await context.Request.ReadFormAsync(new FormOptions { ValueCountLimit = 100, ValueLengthLimit = (int)MaxFormBytes }, context.RequestAborted);
            if (form.Any(f => f.Value.Count > 1)) throw new InvalidDataException("A form field was sent twice.");
            return form;
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            await WriteAsync(context, StatusCodes.Status400BadRequest, "Not allowed", Paragraph("The form could not be read.", "error"));
            return null;
        }
    }

    private static string? Single(IQueryCollection query, string name)
        => query.TryGetValue(name, out var values) && values.Count == 1 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    internal static async Task WriteAsync(HttpContext context, int status, string title, string body)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers["X-Content-Type-Options"] = "nosniff";
        // No script at all; forms post here, and the OAuth button's answer redirects to the app's own https page
        // (or, where the deployment allows loopback apps for testing, to a loopback one).
        var loopback = context.RequestServices.GetRequiredService<IOptions<Connections.ConnectionsOptions>>().Value.AllowLoopbackHttp ? " http://127.0.0.1:* http://localhost:*" : "";
        response.Headers["Content-Security-Policy"] = $"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self' https:{loopback}; base-uri 'none'; frame-ancestors 'none'";
        await response.WriteAsync(Page(title, body), context.RequestAborted);
    }
}

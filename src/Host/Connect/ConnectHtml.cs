using System.Text;
using System.Text.Encodings.Web;

namespace Accounts.Orleans.Host.Connect;

/// <summary>
/// The connect page's markup: every value that came from outside (app names, nicknames, field labels, errors) goes
/// through <see cref="Text"/>, so nothing anyone typed can become markup.
/// </summary>
internal static class ConnectHtml
{
    public const string StylePath = "/connect/page.css";

    public static string Text(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    /// <summary>A whole page; the headers that keep it to itself are set by <see cref="ConnectPage"/>.</summary>
    public static string Page(string title, string body) => $$"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{Text(title)}}</title><link rel="stylesheet" href="{{StylePath}}"></head>
        <body><main><h1>{{Text(title)}}</h1>
        {{body}}
        </main></body></html>
        """;

    public static string Paragraph(string text, string? kind = null)
        => kind is null ? $"<p>{Text(text)}</p>" : $"<p class=\"{kind}\" role=\"{(kind == "error" ? "alert" : "status")}\">{Text(text)}</p>";

    public static string Link(string href, string text) => $"<a href=\"{Text(href)}\">{Text(text)}</a>";

    /// <summary>A one-button form (POST): choosing an account, starting a consent.</summary>
    public static string Button(string action, string label, params (string Name, string Value)[] hidden)
    {
        var html = new StringBuilder($"<form method=\"post\" action=\"{Text(action)}\">");
        foreach (var (name, value) in hidden) html.Append($"<input type=\"hidden\" name=\"{Text(name)}\" value=\"{Text(value)}\">");
        return html.Append($"<button type=\"submit\">{Text(label)}</button></form>").ToString();
    }

    public const string Style = """
        :root{color-scheme:light dark;--fg:#1d1d1f;--muted:#5f6368;--line:#d0d7de;--accent:#0b57d0;--bad:#b3261e;--good:#146c2e}
        @media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#9aa0a6;--line:#3c4043;--accent:#8ab4f8;--bad:#f28b82;--good:#81c995}}
        *{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg)}
        main{max-width:40rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.5rem;margin:.5rem 0 1rem}h2{font-size:1.1rem;margin:1.5rem 0 .5rem}
        a{color:var(--accent)}p.muted,.help{color:var(--muted);font-size:.9rem}
        ul.apps,ul.accounts{list-style:none;padding:0;margin:0}ul.apps li,ul.accounts li{border-bottom:1px solid var(--line)}
        ul.apps a{display:flex;justify-content:space-between;gap:1rem;padding:.75rem .25rem;text-decoration:none;color:var(--fg)}
        ul.apps a:hover,ul.apps a:focus{background:color-mix(in srgb,var(--accent) 10%,transparent)}
        ul.accounts li{display:flex;justify-content:space-between;align-items:center;gap:1rem;padding:.5rem .25rem;flex-wrap:wrap}
        .kind{color:var(--muted);font-size:.85rem;white-space:nowrap}
        label{display:block;font-weight:600;margin-top:1rem}input[type=text],input[type=password],input[type=search],textarea{width:100%;padding:.6rem;font:inherit;border:1px solid var(--line);border-radius:6px;background:transparent;color:inherit}
        input:focus,button:focus,a:focus{outline:3px solid var(--accent);outline-offset:2px}
        button{margin-top:1rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;border:0;border-radius:6px;background:var(--accent);color:#fff;cursor:pointer}
        @media (prefers-color-scheme:dark){button{color:#111}}
        form.search{display:flex;gap:.5rem;align-items:end}form.search button{margin-top:0}
        .error{color:var(--bad)}.field-error{color:var(--bad);font-size:.9rem;margin:.25rem 0 0}.success{color:var(--good)}.warning{font-weight:600}
        """;
}

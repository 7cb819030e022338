using System.Data;
using System.Globalization;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>The catalog: search the supported apps and see how each one connects (endpoints, scopes, key fields).</summary>
public sealed class AppsScreen(IGrainFactory grains) : SearchableListScreen<AppDefinition>("Search apps:", 50)
{
    protected override async Task<(IReadOnlyList<AppDefinition> Rows, string Status)> QueryAsync(string? text)
    {
        var page = await grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Text = text, Limit = AppQuery.MaxLimit });
        return (page.Items, $"{page.Items.Count} app(s)");
    }

    protected override Task<string> DescribeAsync(AppDefinition app) => Task.FromResult(Describe(app));

    protected override bool IsExpected(Exception e) => e is CatalogException || base.IsExpected(e);

    internal static string Describe(AppDefinition app)
    {
        var lines = new List<string> { $"{app.Name} ({app.Slug})", $"Connects with: {(app.AuthType == AuthType.OAuth2 ? "OAuth 2.0" : "keys")}", $"Docs: {app.DocsUrl}" };
        if (app.OAuth is { } oauth)
        {
            lines.Add($"Authorize: {oauth.AuthorizeUrl}");
            lines.Add($"Token: {oauth.TokenUrl}");
            if (oauth.DefaultScopes.Count > 0) lines.Add($"Scopes: {string.Join(oauth.ScopeSeparator, oauth.DefaultScopes)}");
            lines.Add($"PKCE: {(oauth.Pkce ? "yes" : "no")}");
        }
        foreach (var field in app.Fields)
            lines.Add($"Field {field.Name}: {field.Label}{(field.Secret ? " (secret)" : "")}{(field.Required ? "" : " (optional)")}");
        if (app.TestRequest is not null) lines.Add("Keys are verified with a test request before saving.");
        return string.Join('\n', lines);
    }

    protected override DataTable ToTable(IReadOnlyList<AppDefinition> rows)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in new[] { "App", "Slug", "Auth", "Categories" }) table.Columns.Add(column);
        foreach (var app in rows)
            table.Rows.Add(app.Name, app.Slug, app.AuthType == AuthType.OAuth2 ? "oauth2" : "keys", string.Join(", ", app.Categories));
        return table;
    }
}

using System.Data;
using System.Globalization;
using Accounts.Orleans.Contracts.Catalog;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>The catalog: search the supported apps and see how each one connects (endpoints, scopes, key fields).</summary>
public sealed class AppsScreen : View
{
    private readonly IGrainFactory _grains;
    private readonly TextField _search;
    private readonly TableView _table;
    private readonly Label _details;
    private readonly Label _status;
    private IReadOnlyList<AppDefinition> _apps = [];

    public AppsScreen(IGrainFactory grains)
    {
        _grains = grains;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;

        var searchLabel = new Label { Text = "Search apps:", X = 0, Y = 0 };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Y = 0, Width = Dim.Fill() };
        _table = new TableView { X = 0, Y = 1, Width = Dim.Percent(50), Height = Dim.Fill(1), FullRowSelect = true };
        // Field names and ids contain '_', which a label would otherwise take for a hotkey marker.
        _details = new Label { X = Pos.Right(_table) + 1, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), HotKeySpecifier = (System.Text.Rune)0xffff };
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Text = "Loading…" };
        Add(searchLabel, _search, _table, _details, _status);

        _search.Accepting += async (_, e) =>
        {
            e.Handled = true;
            await LoadAsync();
        };
        _table.ValueChanged += (_, _) => ShowDetails();
    }

    public string SearchText
    {
        get => _search.Text;
        set => _search.Text = value;
    }

    public async Task LoadAsync()
    {
        try
        {
            var text = string.IsNullOrWhiteSpace(_search.Text) ? null : _search.Text.Trim();
            var page = await _grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Text = text, Limit = AppQuery.MaxLimit });
            _apps = page.Items;
            _table.Table = new DataTableSource(ToTable(page.Items));
            _status.Text = $"{page.Items.Count} app(s)";
            ShowDetails();
        }
        catch (Exception e) when (e is CatalogException or OrleansException or TimeoutException)
        {
            _status.Text = $"Cannot list apps: {e.Message}";
        }
    }

    private void ShowDetails()
    {
        var row = _table.Value?.SelectedCell.Y ?? 0;
        _details.Text = row >= 0 && row < _apps.Count ? Describe(_apps[row]) : "";
    }

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

    private static DataTable ToTable(IEnumerable<AppDefinition> apps)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in new[] { "App", "Slug", "Auth", "Categories" }) table.Columns.Add(column);
        foreach (var app in apps)
            table.Rows.Add(app.Name, app.Slug, app.AuthType == AuthType.OAuth2 ? "oauth2" : "keys", string.Join(", ", app.Categories));
        return table;
    }
}

using System.Globalization;
using Accounts.Orleans.Tui.Dialogs;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// The catalog: search the supported apps and see how each connects; operators add or override apps from catalog
/// files, disable them, and enter OAuth client credentials (stored encrypted, never shown again).
/// </summary>
public sealed class AppsScreen : SearchableListScreen<AppDefinition>
{
    private IReadOnlyDictionary<string, OAuthClientStatus> _clients = new Dictionary<string, OAuthClientStatus>();

    /// <summary>The newest catalog revision this console's own changes made: the list reflects at least that.</summary>
    private long _revision;

    public AppsScreen(ConsoleSession session) : base(session, "Apps", "Search apps:", 30, 50)
    {
        Actions =
        [
            new(Key.F6, "Import", "_Import apps from a file…", ImportAsync),
            new(Key.F7, "Export", "_Export app to a file…", ExportAsync),
            new(Key.F8, "Client", "OAuth _client credentials…", EditClientAsync),
            new(Key.T.WithCtrl, "Disable", "_Disable app", DisableAsync),
            new(Key.U.WithCtrl, "Enable", "E_nable a disabled app…", EnableAsync),
            NextPageAction,
            PreviousPageAction,
        ];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    protected override string ItemNoun => "app";

    protected override string EmptyHint => "No app matches. Ask for it on the App requests screen: F4, then F6.";

    protected override async Task<(IReadOnlyList<AppDefinition> Rows, string? Next)> QueryAsync(string? text, string? cursor)
    {
        var page = await Reader.ListAppsAsync(new AppQuery { Text = text, Limit = 200, Cursor = cursor, AtLeastRevision = _revision });
        try
        {
            _clients = (await Session.Grains.GetGrain<IOAuthClientRegistryGrain>(0).ListAsync()).ToDictionary(c => c.AppSlug, StringComparer.Ordinal);
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            // The apps are still worth showing; the client line says it is unknown.
            _clients = new Dictionary<string, OAuthClientStatus>();
        }
        return (page.Items, page.Next);
    }

    protected override Task<string> DescribeAsync(AppDefinition app) => Task.FromResult(Describe(app, _clients.GetValueOrDefault(app.Slug), Session.Clock.GetUtcNow()));

    private IAppCatalogReaderGrain Reader => Session.Grains.GetGrain<IAppCatalogReaderGrain>(0);

    private IAppCatalogGrain Catalog => Session.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

    /// <summary>What an operator acts on comes first (how the app connects, its client, its fields); docs and prose last.</summary>
    internal static string Describe(AppDefinition app, OAuthClientStatus? client, DateTimeOffset now)
    {
        var lines = new List<string> { $"{app.Name} ({app.Slug})" };
        if (app.OAuth is { } oauth)
        {
            lines.Add($"Connects with: OAuth 2.0, PKCE {(oauth.Pkce ? "yes" : "no")}");
            lines.Add(client switch
            {
                null => "OAuth client: none yet (F8 to enter one)",
                { Source: OAuthClientSource.Configuration } => $"OAuth client: {client.ClientId} (from configuration)",
                _ => $"OAuth client: {client.ClientId}{(client.HasSecret ? ", secret stored encrypted" : ", no secret")}"
                    + (client.UpdatedBy is { } by ? $" (by {by}{(client.UpdatedAt is { } at ? " " + at.ToLocalTime().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")})" : ""),
            });
            if (client is not null && ClientSecretText.Describe(client, now) is { } expiry) lines.Add(expiry);
            if (client is not null && ClientSecretText.DescribeNext(client) is { } next) lines.Add(next);
            if (oauth.DefaultScopes.Count > 0) lines.Add($"Scopes: {string.Join(oauth.ScopeSeparator, oauth.DefaultScopes)}");
            lines.Add($"Authorize: {oauth.AuthorizeUrl}");
            lines.Add($"Token: {oauth.TokenUrl}");
        }
        else lines.Add("Connects with: keys");
        foreach (var field in app.Fields)
            lines.Add($"Field {field.Name}: {field.Label}{(field.Secret ? " (secret)" : "")}{(field.Required ? "" : " (optional)")}");
        if (app.TestRequest is not null) lines.Add("Keys are verified with a test request before saving.");
        lines.Add($"Docs: {app.DocsUrl}");
        if (app.Description is { } description) lines.Add(description);
        return string.Join('\n', lines);
    }

    protected override Dictionary<string, Func<AppDefinition, object>> Columns() => new()
    {
        ["App"] = app => app.Name,
        ["Slug"] = app => app.Slug,
        ["Auth"] = app => app.AuthType switch { AuthType.OAuth2 => "oauth2", AuthType.ClientCredentials => "client_credentials", AuthType.JwtBearer => "jwt_bearer", AuthType.OAuth1 => "oauth1", _ => "keys" },
        ["Categories"] = app => string.Join(", ", app.Categories),
    };

    /// <summary>Adds or overrides the apps of a catalog file (the format of the shipped seed); each is checked by the catalog.</summary>
    public async Task ImportAsync()
    {
        var imported = new List<AppDefinition>();
        using var dialog = new TextPromptDialog("Import apps", "Catalog file ({\"formatVersion\": 1, \"apps\": [...]}), e.g. one written by Export:", "", "Import", async path =>
        {
            IReadOnlyList<AppDefinition> apps;
            try
            {
                apps = CatalogDocument.Read(await File.ReadAllTextAsync(path));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
            foreach (var app in apps)
            {
                imported.Add(Saved(await Catalog.UpsertAppAsync(app, Session.Operator)));
            }
            return true;
        });
        await Session.Modals.RunAsync(dialog);
        if (imported.Count == 0) return;
        await ReloadAsync();
        await Session.Modals.TellAsync("Import", $"Saved {imported.Count} app(s): {string.Join(", ", imported.Take(10).Select(a => a.Slug))}{(imported.Count > 10 ? ", …" : "")}.");
    }

    /// <summary>Writes the selected app as a catalog file, to edit and import back as an override.</summary>
    public async Task ExportAsync()
    {
        if (Selected is not { } app) return;
        using var dialog = new TextPromptDialog($"Export {app.Name}", "Write to file:", Path.Combine(Environment.CurrentDirectory, $"{app.Slug}.json"), "Export", async path =>
        {
            try
            {
                await File.WriteAllTextAsync(path, CatalogDocument.Write([app]));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new InvalidDataException($"{path}: {e.Message}", e);
            }
            return true;
        });
        await Session.Modals.RunAsync(dialog);
    }

    public async Task EditClientAsync()
    {
        if (Selected is not { } app) return;
        if (!app.AuthType.Consents())
        {
            await Session.Modals.TellAsync("OAuth client", $"{app.Name} connects with its accounts' own credentials; it needs no OAuth client.");
            return;
        }
        var callback = await Session.Grains.GetGrain<IOAuthClientRegistryGrain>(0).GetCallbackUrlAsync();
        using var dialog = new OAuthClientDialog(Session, app, _clients.GetValueOrDefault(app.Slug), callback);
        await Session.Modals.RunAsync(dialog);
        if (dialog.Succeeded) await ReloadAsync();
    }

    public async Task DisableAsync()
    {
        if (Selected is not { } app) return;
        var answer = await Session.Modals.ChooseAsync("Disable app", $"Hide {app.Name} from the catalog? Its existing accounts keep working; Ctrl+U enables it again.", "Disable", "Cancel");
        if (answer != 0) return;
        try
        {
            Saved(await Catalog.SetAppDisabledAsync(app.Slug, disabled: true, Session.Operator));
            await ReloadAsync();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Disable failed", ErrorText.Describe(e));
        }
    }

    public async Task EnableAsync()
    {
        AppDefinition? enabled = null;
        using var dialog = new TextPromptDialog("Enable app", "Slug of the disabled app:", "", "Enable", async slug =>
        {
            enabled = Saved(await Catalog.SetAppDisabledAsync(slug, disabled: false, Session.Operator));
            return true;
        });
        await Session.Modals.RunAsync(dialog);
        if (enabled is null) return;
        await ReloadAsync();
    }

    private AppDefinition Saved(AppChange change)
    {
        _revision = Math.Max(_revision, change.Revision);
        return change.App;
    }
}

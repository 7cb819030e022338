using System.Globalization;
using Accounts.Orleans.Tui.Dialogs;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>Which accounts the health filter shows.</summary>
public enum HealthFilter { Any, Healthy, Expiring, NeedsReconnect, Degraded, Deleted }

/// <summary>
/// The home screen: accounts from the index (never by activating them) with search and filters, the selected
/// account's details, and everything an operator does to an account. Secrets never reach it; key fields arrive masked.
/// </summary>
public sealed class AccountsScreen : SearchableListScreen<AccountSummary>
{
    private const int PageSize = 200;
    private readonly TextField _workspace = new() { Width = 10 };
    private readonly TextField _app = new() { Width = 10 };
    private readonly DropDownList<HealthFilter> _health = new() { Width = 16 };

    public AccountsScreen(ConsoleSession session) : base(session, "Accounts", "Find:", 12, 60)
    {
        AddFilter("WS:", _workspace);
        AddFilter("App:", _app);
        AddFilter("Health:", _health);
        _health.Value = HealthFilter.Any;
        _health.ValueChanged += async (_, _) => await LoadAsync();
        Actions =
        [
            new(Key.F6, "Connect", "_Connect an account…", ConnectAsync),
            new(Key.F7, "Reconnect", "_Reconnect…", ReconnectAsync),
            new(Key.F8, "Rename", "Re_name…", RenameAsync),
            new(Key.R.WithCtrl, "Refresh", "Refresh _tokens now", RefreshNowAsync),
            new(Key.Delete, "Delete", "_Delete…", DeleteAsync),
            NextPageAction,
            PreviousPageAction,
        ];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    public string WorkspaceFilter
    {
        get => _workspace.Text;
        set => _workspace.Text = value;
    }

    public string AppFilter
    {
        get => _app.Text;
        set => _app.Text = value;
    }

    public HealthFilter Health
    {
        get => _health.Value ?? HealthFilter.Any;
        set => _health.Value = value;
    }

    protected override string ItemNoun => "account";

    protected override string EmptyHint => "No account matches. F6 connects one.";

    protected override async Task<(IReadOnlyList<AccountSummary> Rows, string? Next)> QueryAsync(string? text, string? cursor)
    {
        var page = await AccountDirectory.ListAsync(new AccountQuery
        {
            Text = text,
            WorkspaceId = NullIfBlank(_workspace.Text),
            AppSlug = NullIfBlank(_app.Text),
            Health = Health switch
            {
                HealthFilter.Healthy => AccountHealth.Healthy,
                HealthFilter.Expiring => AccountHealth.Expiring,
                HealthFilter.NeedsReconnect => AccountHealth.NeedsReconnect,
                HealthFilter.Degraded => AccountHealth.Degraded,
                HealthFilter.Deleted => AccountHealth.Deleted,
                _ => null,
            },
            IncludeDeleted = Health == HealthFilter.Deleted,
            Limit = PageSize,
            Cursor = cursor,
        });
        return (page.Items, page.Next);
    }

    protected override async Task<string> DescribeAsync(AccountSummary account)
    {
        IReadOnlyList<AuditEvent> audit = [];
        try
        {
            audit = await AccountDirectory.GetAuditAsync(account.Id, 5);
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            // Details still help without the trail.
        }
        return Describe(account, audit);
    }

    private IAccountDirectoryGrain AccountDirectory => Session.Grains.GetGrain<IAccountDirectoryGrain>(0);

    internal static string Describe(AccountSummary account, IReadOnlyList<AuditEvent> audit)
    {
        var lines = new List<string>
        {
            $"{account.Nickname} ({account.AppSlug})",
            $"Id: {account.Id}",
            $"Workspace: {account.WorkspaceId}",
            $"Health: {Words(account.Health)}{(account.HealthReason is { } reason ? " – " + reason : "")}",
        };
        if (account.UpstreamIdentity is { } identity) lines.Add($"Identity at the app: {identity}");
        if (account.GrantedScopes.Count > 0) lines.Add($"Scopes: {string.Join(' ', account.GrantedScopes)}");
        if (account.AccessTokenExpiresAt is { } expires) lines.Add($"Token expires: {Time(expires)}");
        if (account.NextRefreshAt is { } next) lines.Add($"Next refresh: {Time(next)}");
        foreach (var (name, value) in account.Fields) lines.Add($"{name}: {value}");
        lines.Add(account.LinkedSteps.Count == 0 ? "Used by no workflow" : "Used by:");
        lines.AddRange(account.LinkedSteps.Select(s => $"  {s.WorkflowId} / {s.StepId}"));
        if (audit.Count > 0)
        {
            lines.Add("Recent activity:");
            lines.AddRange(audit.Select(e => $"  {Time(e.At)} {e.Action} by {e.Actor}"));
        }
        return string.Join('\n', lines);
    }

    protected override Dictionary<string, Func<AccountSummary, object>> Columns()
    {
        var now = Session.Clock.GetUtcNow();
        return new()
        {
            ["Nickname"] = a => a.Nickname,
            ["App"] = a => a.AppSlug,
            ["Workspace"] = a => a.WorkspaceId,
            ["Health"] = a => Words(a.Health),
            ["Expires"] = a => a.AccessTokenExpiresAt is { } expires ? ListTime.Until(expires, now) : "",
            ["Workflows"] = a => a.LinkedSteps.Select(s => s.WorkflowId).Distinct().Count().ToString(CultureInfo.InvariantCulture),
            ["Last used"] = a => a.LastUsedAt is { } used ? ListTime.Since(used, now) : "never",
        };
    }

    private static string Words(AccountHealth health) => health switch
    {
        AccountHealth.NeedsReconnect => "needs reconnect",
        _ => health.ToString().ToLowerInvariant(),
    };

    /// <summary>Connect: choose the app (existing accounts of it are offered), then the key form or the OAuth wait.</summary>
    public async Task ConnectAsync()
    {
        using var choose = new ConnectDialog(Session, NullIfBlank(_workspace.Text));
        await Session.Modals.RunAsync(choose);
        if (choose.ExistingChosen is { } existing)
        {
            await ShowAccountAsync(existing);
            return;
        }
        if (!choose.Succeeded || choose.ChosenApp is not { } app) return;
        var connected = await ConnectToAppAsync(app, choose.WorkspaceId, choose.Nickname, reconnect: null);
        if (connected is not null) await ShowAccountAsync(connected);
    }

    public async Task ReconnectAsync()
    {
        if (Selected is not { } account) return;
        var app = await Session.Grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(account.AppSlug);
        if (app is null)
        {
            await Session.Modals.TellAsync("Reconnect", $"The catalog no longer has '{account.AppSlug}'.");
            return;
        }
        var connected = await ConnectToAppAsync(app, account.WorkspaceId, account.Nickname, account);
        if (connected is not null) await ShowAccountAsync(connected);
    }

    private async Task<AccountSummary?> ConnectToAppAsync(AppDefinition app, string workspaceId, string nickname, AccountSummary? reconnect)
    {
        if (app.AuthType.TakesFields())
        {
            using var form = new KeyFormDialog(Session, app, workspaceId, nickname, reconnect?.Id);
            await Session.Modals.RunAsync(form);
            return form.Connected;
        }
        IReadOnlyDictionary<string, string>? settings = null;
        if (app.Settings.Count > 0)
        {
            using var where = new ConnectionSettingsDialog(app, reconnect?.Connection);
            await Session.Modals.RunAsync(where);
            if (!where.Succeeded) return null;
            settings = where.Values;
        }
        using var wait = new OAuthConnectDialog(Session, app, workspaceId, nickname, reconnect?.Id, settings: settings);
        await Session.Modals.RunAsync(wait);
        return wait.Connected;
    }

    public async Task RenameAsync()
    {
        if (Selected is not { } account) return;
        using var dialog = new TextPromptDialog($"Rename {account.Nickname}", "New nickname:", account.Nickname, "Rename", async nickname =>
        {
            await Session.Grains.GetGrain<IConnectedAccountGrain>(account.Id).RenameAsync(nickname, Session.Operator);
            return true;
        });
        await Session.Modals.RunAsync(dialog);
        if (dialog.Succeeded) await ReloadAsync();
    }

    public async Task RefreshNowAsync()
    {
        if (Selected is not { } account) return;
        if (!account.AuthType.IssuesTokens())
        {
            await Session.Modals.TellAsync("Refresh now", account.AuthType == AuthType.OAuth1
                ? $"{account.Nickname} holds an OAuth 1.0a token, which does not expire; there is nothing to refresh."
                : $"{account.Nickname} connects with keys; there is no token to refresh.");
            return;
        }
        try
        {
            var refreshed = await Session.Grains.GetGrain<IConnectedAccountGrain>(account.Id).RefreshAsync(Session.Operator);
            await ReloadAsync();
            await Session.Modals.TellAsync("Refresh now", $"{refreshed.Nickname}: {refreshed.Health}" +
                (refreshed.AccessTokenExpiresAt is { } expires ? $", token valid until {Time(expires)}" : ""));
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await ReloadAsync();
            await Session.Modals.TellAsync("Refresh failed", ErrorText.Describe(e));
        }
    }

    /// <summary>Deletes after a confirmation that names every workflow still using the account.</summary>
    public async Task DeleteAsync()
    {
        if (Selected is not { } listed) return;
        var grain = Session.Grains.GetGrain<IConnectedAccountGrain>(listed.Id);
        try
        {
            // The index can lag a link made a moment ago; the grain knows.
            var account = await grain.GetAsync();
            var linked = account.LinkedSteps;
            var question = linked.Count == 0
                ? $"Delete {account.Nickname} ({account.AppSlug})? Its tokens are revoked where the app allows it and its secrets erased."
                : $"{account.Nickname} ({account.AppSlug}) is used by {Workflows(linked)}. Deleting it breaks them: their next run fails until another account is linked.";
            var answer = await Session.Modals.ChooseAsync("Delete account", question, linked.Count == 0 ? "Delete" : "Delete anyway", "Cancel");
            if (answer != 0) return;
            await grain.DeleteAsync(force: linked.Count > 0, Session.Operator);
            await ReloadAsync();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Delete failed", ErrorText.Describe(e));
        }
    }

    internal static string Workflows(IReadOnlyList<WorkflowStep> steps) =>
        string.Join("; ", steps.GroupBy(s => s.WorkflowId, StringComparer.Ordinal)
            .Select(g => $"workflow {g.Key} (step{(g.Count() > 1 ? "s" : "")} {string.Join(", ", g.Select(s => s.StepId))})"));

    /// <summary>Shows one account: search for its nickname in its workspace and put the cursor on it.</summary>
    private async Task ShowAccountAsync(AccountSummary account)
    {
        SearchText = account.Nickname;
        WorkspaceFilter = account.WorkspaceId;
        AppFilter = "";
        Health = HealthFilter.Any;
        await LoadAsync();
        SelectWhere(a => a.Id == account.Id);
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

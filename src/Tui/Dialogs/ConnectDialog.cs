using System.Collections.ObjectModel;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// First step of connecting: the workspace, a nickname and the app, picked from a searchable list of the catalog.
/// Accounts of that app the workspace already has are offered, so nobody connects the same thing twice by accident.
/// </summary>
public sealed class ConnectDialog : ConsoleDialog
{
    private readonly ConsoleSession _session;
    private readonly TextField _workspace;
    private readonly TextField _nickname;
    private readonly TextField _searchBox;
    private readonly ListView<AppChoice> _apps = new() { X = 1, Y = 4, Width = Dim.Fill(1), Height = 8 };
    private readonly Label _existingLabel = new() { X = 1, Y = 12, Width = Dim.Fill(1), Text = "", HotKeySpecifier = (System.Text.Rune)0xffff };
    private readonly ListView<ExistingChoice> _existing = new() { X = 1, Y = 13, Width = Dim.Fill(1), Height = 3 };
    private int _searches;
    private int _lookups;
    private Task _search = Task.CompletedTask;
    private Task _lookup = Task.CompletedTask;
    // Headless, continuations run on the thread pool rather than one UI thread: deciding which answer is the latest
    // and showing it happen together, so an older answer can never be shown over a newer one.
    private readonly Lock _latest = new();

    public ConnectDialog(ConsoleSession session, string? workspaceId) : base("Connect an account")
    {
        _session = session;
        ErrorRow = 16;
        var workspaceLabel = new Label { X = 1, Y = 1, Text = "Workspace:" };
        _workspace = new TextField { X = 12, Y = 1, Width = 22, Text = workspaceId ?? "" };
        var nicknameLabel = new Label { X = 36, Y = 1, Text = "Nickname:" };
        _nickname = new TextField { X = 46, Y = 1, Width = Dim.Fill(1) };
        var searchLabel = new Label { X = 1, Y = 3, Text = "Find app:" };
        _searchBox = new TextField { X = 12, Y = 3, Width = Dim.Fill(1) };
        Add(workspaceLabel, _workspace, nicknameLabel, _nickname, searchLabel, _searchBox, _apps, _existingLabel, _existing);

        _searchBox.TextChanged += async (_, _) => await SearchAsync();
        _searchBox.Accepting += (_, e) =>
        {
            e.Handled = true;
            _apps.SetFocus();
        };
        _apps.ValueChanged += async (_, _) => await (_lookup = LookUpExistingAsync());
        _workspace.TextChanged += async (_, _) => await (_lookup = LookUpExistingAsync());

        var useExisting = new Button { Text = "Use existing" };
        useExisting.Accepting += (_, e) =>
        {
            e.Handled = true;
            if (_existing.Value is not { } choice) return;
            ExistingChosen = choice.Account;
            Complete();
        };
        AddButton(useExisting);
        AddAction("Connect new", async () =>
        {
            // Enter can come before the list caught up with the search box; choose from what was typed.
            await Lookups;
            return Validate();
        });
        (string.IsNullOrEmpty(workspaceId) ? _workspace : _searchBox).SetFocus();
        _search = SearchCoreAsync();
    }

    /// <summary>Loads the first apps of the catalog; the list narrows as the operator types.</summary>

    public AppDefinition? ChosenApp => _apps.Value?.App;

    public string WorkspaceId => _workspace.Text.Trim();

    public string Nickname => _nickname.Text.Trim();

    /// <summary>Set when the operator chose an account the workspace already had instead of connecting a new one.</summary>
    public AccountSummary? ExistingChosen { get; private set; }

    /// <summary>The existing accounts offered for the selected app.</summary>
    public IReadOnlyList<AccountSummary> Existing { get; private set; } = [];

    public string SearchText
    {
        get => _searchBox.Text;
        set => _searchBox.Text = value;
    }

    public string WorkspaceText
    {
        get => _workspace.Text;
        set => _workspace.Text = value;
    }

    public string NicknameText
    {
        get => _nickname.Text;
        set => _nickname.Text = value;
    }

    /// <summary>
    /// Completes when no search or existing-accounts lookup is in flight, including any one started while waiting (a
    /// selection that moved when the list was filled starts its own lookup); headless tests await it.
    /// </summary>
    public Task Lookups => SettleAsync();

    private async Task SettleAsync()
    {
        while (true)
        {
            var (search, lookup) = (_search, _lookup);
            await Task.WhenAll(search, lookup);
            if (ReferenceEquals(search, _search) && ReferenceEquals(lookup, _lookup)) return;
        }
    }

    private bool Validate()
    {
        if (WorkspaceId.Length == 0) ShowError("Which workspace does the account belong to?");
        else if (ChosenApp is null) ShowError("Choose an app from the list.");
        else
        {
            if (Nickname.Length == 0) _nickname.Text = ChosenApp.Name;
            return true;
        }
        return false;
    }

    private Task SearchAsync() => _search = SearchCoreAsync();

    private async Task SearchCoreAsync()
    {
        var search = Interlocked.Increment(ref _searches);
        try
        {
            var text = string.IsNullOrWhiteSpace(_searchBox.Text) ? null : _searchBox.Text.Trim();
            var page = await _session.Grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Text = text, Limit = 50 });
            lock (_latest)
            {
                if (search != _searches) return;
                _apps.SetSource(new ObservableCollection<AppChoice>(page.Items.Select(a => new AppChoice(a))));
                if (page.Items.Count > 0) _apps.Index = 0;
            }
            await (_lookup = LookUpExistingAsync());
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            ShowError(ErrorText.Describe(e));
        }
    }

    private async Task LookUpExistingAsync()
    {
        var lookup = Interlocked.Increment(ref _lookups);
        if (ChosenApp is not { } app || WorkspaceId.Length == 0)
        {
            lock (_latest)
            {
                if (lookup != _lookups) return;
                _existingLabel.Text = "";
                Existing = [];
                _existing.SetSource([]);
            }
            return;
        }
        try
        {
            var page = await _session.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = WorkspaceId, AppSlug = app.Slug, Limit = 20 });
            lock (_latest)
            {
                if (lookup != _lookups) return;
                Existing = page.Items;
                _existing.SetSource(new ObservableCollection<ExistingChoice>(page.Items.Select(a => new ExistingChoice(a))));
                _existingLabel.Text = page.Items.Count == 0
                    ? $"{WorkspaceId} has no {app.Name} account yet."
                    : $"{WorkspaceId} already has {page.Items.Count}{(page.Next is null ? "" : "+")} {app.Name} account(s): use one, or connect another.";
            }
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            lock (_latest)
            {
                if (lookup == _lookups) _existingLabel.Text = $"Cannot list existing accounts: {ErrorText.Describe(e)}";
            }
        }
    }

    private sealed record AppChoice(AppDefinition App)
    {
        public override string ToString() => $"{Clip(App.Name, 30),-30} {Clip(App.Slug, 24),-24} {App.AuthType switch { AuthType.OAuth2 => "OAuth", AuthType.OAuth1 => "OAuth 1", AuthType.ClientCredentials => "client", AuthType.JwtBearer => "service", _ => "keys" }}";
    }

    private sealed record ExistingChoice(AccountSummary Account)
    {
        public override string ToString() => $"{Clip(Account.Nickname, 30),-30} {Account.Health,-15} {Account.LinkedSteps.Count} step(s)";
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

using System.Data;
using System.Globalization;
using Accounts.Orleans.Contracts.Accounts;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// The home screen: accounts from the index (never by activating them), a search box, and the selected account's
/// details. Secrets never reach it; key fields arrive already masked.
/// </summary>
public sealed class AccountsScreen : View
{
    private const int PageSize = 200;

    private readonly IGrainFactory _grains;
    private readonly TextField _search;
    private readonly TableView _table;
    private readonly Label _details;
    private readonly Label _status;
    private IReadOnlyList<AccountSummary> _accounts = [];

    public AccountsScreen(IGrainFactory grains)
    {
        _grains = grains;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;

        var searchLabel = new Label { Text = "Search:", X = 0, Y = 0 };
        _search = new TextField { X = Pos.Right(searchLabel) + 1, Y = 0, Width = Dim.Fill() };
        _table = new TableView { X = 0, Y = 1, Width = Dim.Percent(60), Height = Dim.Fill(1), FullRowSelect = true };
        // Field names and ids contain '_', which a label would otherwise take for a hotkey marker.
        _details = new Label { X = Pos.Right(_table) + 1, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), HotKeySpecifier = (System.Text.Rune)0xffff };
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Text = "Loading…" };
        Add(searchLabel, _search, _table, _details, _status);

        _search.Accepting += async (_, e) =>
        {
            e.Handled = true;
            await LoadAsync();
        };
        _table.ValueChanged += async (_, _) => await ShowDetailsAsync();
    }

    /// <summary>What the search box holds; the next load filters by it.</summary>
    public string SearchText
    {
        get => _search.Text;
        set => _search.Text = value;
    }

    /// <summary>Reads the first page of accounts matching the search and shows them.</summary>
    public async Task LoadAsync()
    {
        try
        {
            var text = string.IsNullOrWhiteSpace(_search.Text) ? null : _search.Text.Trim();
            var page = await _grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { Text = text, Limit = PageSize });
            _accounts = page.Items;
            _table.Table = new DataTableSource(ToTable(page.Items));
            _status.Text = page.Next is null ? $"{page.Items.Count} account(s)" : $"first {page.Items.Count} accounts; refine the search to see others";
            await ShowDetailsAsync();
        }
        catch (Exception e) when (e is AccountException or OrleansException or TimeoutException)
        {
            _status.Text = $"Cannot list accounts: {e.Message}";
        }
    }

    private async Task ShowDetailsAsync()
    {
        var row = _table.Value?.SelectedCell.Y ?? 0;
        if (row < 0 || row >= _accounts.Count)
        {
            _details.Text = "";
            return;
        }
        var account = _accounts[row];
        IReadOnlyList<AuditEvent> audit = [];
        try
        {
            audit = await _grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(account.Id, 5);
        }
        catch (Exception e) when (e is AccountException or OrleansException or TimeoutException)
        {
            // Details still help without the trail.
        }
        _details.Text = Describe(account, audit);
    }

    internal static string Describe(AccountSummary account, IReadOnlyList<AuditEvent> audit)
    {
        var lines = new List<string>
        {
            $"{account.Nickname} ({account.AppSlug})",
            $"Id: {account.Id}",
            $"Workspace: {account.WorkspaceId}",
            $"Health: {account.Health}{(account.HealthReason is { } reason ? " – " + reason : "")}",
        };
        if (account.GrantedScopes.Count > 0) lines.Add($"Scopes: {string.Join(' ', account.GrantedScopes)}");
        if (account.AccessTokenExpiresAt is { } expires) lines.Add($"Token expires: {expires.ToLocalTime():g}");
        foreach (var (name, value) in account.Fields) lines.Add($"{name}: {value}");
        lines.Add(account.LinkedSteps.Count == 0 ? "Used by no workflow" : "Used by:");
        lines.AddRange(account.LinkedSteps.Select(s => $"  {s.WorkflowId} / {s.StepId}"));
        if (audit.Count > 0)
        {
            lines.Add("Recent activity:");
            lines.AddRange(audit.Select(e => $"  {e.At.ToLocalTime():g} {e.Action} by {e.Actor}"));
        }
        return string.Join('\n', lines);
    }

    private static DataTable ToTable(IEnumerable<AccountSummary> accounts)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in new[] { "Nickname", "App", "Workspace", "Health", "Expires", "Workflows", "Last used" }) table.Columns.Add(column);
        foreach (var a in accounts)
        {
            table.Rows.Add(a.Nickname, a.AppSlug, a.WorkspaceId, a.Health.ToString(),
                a.AccessTokenExpiresAt?.ToLocalTime().ToString("g", CultureInfo.InvariantCulture) ?? "",
                a.LinkedSteps.Select(s => s.WorkflowId).Distinct().Count().ToString(CultureInfo.InvariantCulture),
                a.LastUsedAt?.ToLocalTime().ToString("g", CultureInfo.InvariantCulture) ?? "never");
        }
        return table;
    }
}

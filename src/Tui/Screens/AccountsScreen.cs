using System.Data;
using System.Globalization;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// The home screen: accounts from the index (never by activating them), a search box, and the selected account's
/// details. Secrets never reach it; key fields arrive already masked.
/// </summary>
public sealed class AccountsScreen(IGrainFactory grains) : SearchableListScreen<AccountSummary>("Search:", 60)
{
    private const int PageSize = 200;

    protected override async Task<(IReadOnlyList<AccountSummary> Rows, string Status)> QueryAsync(string? text)
    {
        var page = await grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { Text = text, Limit = PageSize });
        return (page.Items, page.Next is null ? $"{page.Items.Count} account(s)" : $"first {page.Items.Count} accounts; refine the search to see others");
    }

    protected override async Task<string> DescribeAsync(AccountSummary account)
    {
        IReadOnlyList<AuditEvent> audit = [];
        try
        {
            audit = await grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(account.Id, 5);
        }
        catch (Exception e) when (IsExpected(e))
        {
            // Details still help without the trail.
        }
        return Describe(account, audit);
    }

    protected override bool IsExpected(Exception e) => e is AccountException || base.IsExpected(e);

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

    protected override DataTable ToTable(IReadOnlyList<AccountSummary> rows)
    {
        var table = new DataTable { Locale = CultureInfo.InvariantCulture };
        foreach (var column in new[] { "Nickname", "App", "Workspace", "Health", "Expires", "Workflows", "Last used" }) table.Columns.Add(column);
        foreach (var a in rows)
        {
            table.Rows.Add(a.Nickname, a.AppSlug, a.WorkspaceId, a.Health.ToString(),
                a.AccessTokenExpiresAt?.ToLocalTime().ToString("g", CultureInfo.InvariantCulture) ?? "",
                a.LinkedSteps.Select(s => s.WorkflowId).Distinct().Count().ToString(CultureInfo.InvariantCulture),
                a.LastUsedAt?.ToLocalTime().ToString("g", CultureInfo.InvariantCulture) ?? "never");
        }
        return table;
    }
}

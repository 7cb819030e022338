using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Dialogs;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The accounts screen and its dialogs, driven headless against a real embedded Host.</summary>
public sealed class AccountsScreenTests
{
    private const string Key = "lk_0123456789abcdef0123";
    private const string Workspace = "ws_acme";

    [Fact]
    public async Task The_screen_lists_accounts_from_the_index_filters_them_and_never_shows_a_key()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp(Key).StartAsync();
        await fixture.ConnectWithKeyAsync("Billing EU", workspace: Workspace);
        await fixture.ConnectWithKeyAsync("Marketing", workspace: Workspace);
        await fixture.ConnectWithKeyAsync("Other tenant", workspace: "ws_other");
        using var console = new ConsoleHarness(fixture.Host.Grains);
        using var window = new Window();
        var screen = new AccountsScreen(console.Session);
        window.Add(screen);

        await screen.LoadAsync();
        var all = console.Draw(window);
        screen.SearchText = "market";
        await screen.LoadAsync();
        var searched = console.Draw(window);
        screen.SearchText = "";
        screen.WorkspaceFilter = "ws_other";
        await screen.LoadAsync();
        var otherWorkspace = console.Draw(window);
        screen.WorkspaceFilter = "";
        screen.Health = HealthFilter.NeedsReconnect;
        await screen.LoadAsync();
        var unhealthy = console.Draw(window);

        Assert.Contains("Billing EU", all, StringComparison.Ordinal);
        Assert.Contains("3 accounts", all, StringComparison.Ordinal);
        Assert.Contains("api_key: ••••0123", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, all, StringComparison.Ordinal);
        Assert.Contains("Marketing", searched, StringComparison.Ordinal);
        Assert.DoesNotContain("Billing EU", searched, StringComparison.Ordinal);
        Assert.Contains("1 account", searched, StringComparison.Ordinal);
        Assert.Contains("Other tenant", otherWorkspace, StringComparison.Ordinal);
        Assert.DoesNotContain("Marketing", otherWorkspace, StringComparison.Ordinal);
        Assert.Contains("0 accounts", unhealthy, StringComparison.Ordinal);
        Assert.Contains("No account matches. F6 connects one.", unhealthy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_80_columns_the_table_keeps_every_column_and_the_details_sit_under_it()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp(Key).StartAsync();
        var account = await fixture.ConnectWithKeyAsync("Billing EU", workspace: Workspace);
        using var console = new ConsoleHarness(fixture.Host.Grains);
        using var window = new Window();
        var screen = new AccountsScreen(console.Session);
        window.Add(screen);

        await screen.LoadAsync();
        var lines = console.Draw(window).Split('\n');

        var header = Array.FindIndex(lines, l => l.Contains("Nickname", StringComparison.Ordinal));
        Assert.Equal(80, lines[header].TrimEnd('\r').Length);
        Assert.Matches(@"Nickname\s*│App\s*│Workspace\s*│Health\s*│Expires\s*│Workflows\s*│Last used", lines[header]);
        Assert.Matches(@"Billing EU\s*│loopback_keys\s*│ws_acme\s*│healthy\s*│\s*│0\s*│never", lines.Single(l => l.Contains("│loopback_keys", StringComparison.Ordinal)));
        var details = Array.FindIndex(lines, l => l.Contains($"Id: {account.Id}", StringComparison.Ordinal));
        var status = Array.FindIndex(lines, l => l.Contains("1 account", StringComparison.Ordinal));
        Assert.True(header < status && status < details, $"Expected the table, then the status line, then the details:\n{string.Join('\n', lines)}");
    }

    [Fact]
    public async Task Connecting_a_key_account_checks_fields_as_typed_shows_the_apps_refusal_and_the_wait_then_saves_the_account()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp(Key).StartAsync();
        await fixture.ConnectWithKeyAsync("Existing one", workspace: Workspace);
        using var console = new ConsoleHarness(fixture.Host.Grains);
        var screen = new AccountsScreen(console.Session) { WorkspaceFilter = Workspace };
        string? pickerScreen = null, typedBadFormat = null, refused = null, whileTrying = null;
        IReadOnlyList<AccountSummary> offered = [];

        console.OnDialog<ConnectDialog>(async dialog =>
        {
            await dialog.Lookups;
            console.Type("loopback");
            await dialog.Lookups;
            console.Press(Terminal.Gui.Input.Key.Tab.WithShift);
            console.Type("Support desk");
            pickerScreen = console.Draw();
            offered = dialog.Existing;
            console.Press(Terminal.Gui.Input.Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        console.OnDialog<KeyFormDialog>(async form =>
        {
            console.Type("not-a-key");
            typedBadFormat = console.Draw();
            Assert.Contains("does not have the expected format", form.ProblemOf("api_key"), StringComparison.Ordinal);

            form.SetField("api_key", "lk_ffffffffffffffff0000");  // the right shape, but the app refuses it
            console.Press(Terminal.Gui.Input.Key.Enter);
            await form.Settled;
            refused = console.Draw();
            Assert.False(form.Succeeded);

            form.SetField("api_key", Key);
            using (fixture.KeyApp!.Hold())
            {
                console.Press(Terminal.Gui.Input.Key.Enter);
                whileTrying = console.Draw();
            }
            await form.Settled;
            Assert.True(form.Succeeded, form.Error);
        });

        await screen.ConnectAsync();

        Assert.Contains("Loopback Keys", pickerScreen, StringComparison.Ordinal);
        Assert.Contains("already has 1", pickerScreen, StringComparison.Ordinal);
        Assert.Equal("Existing one", Assert.Single(offered).Nickname);
        Assert.Contains("does not have the expected format", typedBadFormat, StringComparison.Ordinal);
        Assert.DoesNotContain("not-a-key", typedBadFormat, StringComparison.Ordinal);
        Assert.Contains("Trying these credentials at loopback_keys failed: HTTP 401", refused, StringComparison.Ordinal);
        Assert.DoesNotContain("lk_ffffffffffffffff0000", refused, StringComparison.Ordinal);
        Assert.Contains("Trying the keys at Loopback Keys…", whileTrying, StringComparison.Ordinal);
        Assert.DoesNotContain("failed", whileTrying, StringComparison.Ordinal);
        var created = Assert.Single(await fixture.ListAsync(Workspace), a => a.Nickname == "Support desk");
        Assert.Equal("••••0123", created.Fields["api_key"]);
        Assert.Equal(created.Id, screen.Selected?.Id);
        var audit = await fixture.Host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(created.Id, 10);
        Assert.Contains(audit, e => e.Actor == "console:ops@test");
    }
}

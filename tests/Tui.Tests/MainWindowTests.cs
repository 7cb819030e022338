using Accounts.Orleans.Tui.Screens;
using Accounts.Orleans.Tui.Shell;
using Terminal.Gui.Input;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The console's frame: screen keys, the status bar at 80 columns, and leaving. Against a real embedded Host.</summary>
public sealed class MainWindowTests
{
    [Fact]
    public async Task At_80_columns_the_status_bar_shows_the_menu_key_and_every_action_of_each_screen()
    {
        await using var host = await EmbeddedHost.StartAsync();
        using var console = new ConsoleHarness(host.Grains);
        using var window = Frame(console);
        using var shown = console.Show(window);
        var bars = new Dictionary<Key, string>();

        foreach (var key in new[] { Key.F2, Key.F3, Key.F4, Key.F5 })
        {
            console.Press(key);
            await window.Settled;
            bars[key] = StatusBar(console.Draw());
        }

        Assert.All(bars.Values, bar => Assert.StartsWith("F10 Menu", bar, StringComparison.Ordinal));
        Assert.Equal(["Connect", "Reconnect", "Rename", "Refresh", "Delete"], Labels(bars[Key.F2], ["F6", "F7", "F8", "Ctrl+R", "Delete"]));
        Assert.Equal(["Import", "Export", "Client", "Disable", "Enable"], Labels(bars[Key.F3], ["F6", "F7", "F8", "Ctrl+T", "Ctrl+U"]));
        Assert.Equal(["Submit", "Vote", "Triage"], Labels(bars[Key.F4], ["F6", "F7", "F8"]));
        Assert.Equal(["Reload"], Labels(bars[Key.F5], ["Ctrl+R"]));
        Assert.Contains("Ctrl+Q Quit", bars[Key.F4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_keys_work_from_the_frame_though_the_status_bar_leaves_them_to_the_status_line()
    {
        await using var host = await EmbeddedHost.StartAsync();
        using var console = new ConsoleHarness(host.Grains);
        using var window = Frame(console);
        using var shown = console.Show(window);
        await window.OnClusterStateAsync(reachable: true, "1 silo(s)");

        console.Press(Key.F3);
        await window.Settled;
        var first = console.Draw();
        console.Press(Key.PageDown.WithCtrl);
        await window.Settled;
        var second = console.Draw();
        console.Press(Key.PageUp.WithCtrl);
        await window.Settled;

        Assert.Contains("page 1: 200 apps · Ctrl+PgDn next", first, StringComparison.Ordinal);
        Assert.Contains("page 2: 200 apps · Ctrl+PgUp previous · Ctrl+PgDn next", second, StringComparison.Ordinal);
        Assert.DoesNotContain("PgDn", StatusBar(second), StringComparison.Ordinal);
        Assert.StartsWith("page 1:", ((AppsScreen)window.Active).Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_screen_key_puts_the_cursor_in_that_screens_search_box_and_plain_letters_never_open_a_menu()
    {
        await using var host = await EmbeddedHost.StartAsync();
        using var console = new ConsoleHarness(host.Grains);
        using var window = Frame(console);
        using var shown = console.Show(window);
        await window.OnClusterStateAsync(reachable: true, "1 silo(s)");

        console.Press(Key.F3);
        await window.Settled;
        console.Type("slack");
        var typed = ((AppsScreen)window.Active).SearchText;
        console.Press(Key.Tab);
        console.Type("ac");
        var menuAfterLetters = console.App.Popovers?.GetActivePopover();
        console.Press(Key.A.WithAlt);
        var menuAfterAlt = console.App.Popovers?.GetActivePopover();

        Assert.Equal("slack", typed);
        Assert.Null(menuAfterLetters);
        Assert.NotNull(menuAfterAlt);
        Assert.Empty(console.Told);
    }

    [Fact]
    public async Task Esc_on_a_screen_asks_before_leaving_and_Ctrl_Q_leaves_at_once()
    {
        await using var host = await EmbeddedHost.StartAsync();
        using var console = new ConsoleHarness(host.Grains);
        using var window = Frame(console);
        using var shown = console.Show(window);

        console.Answer(0);
        console.Press(Key.Esc);
        await window.Settled;
        var stayed = !window.StopRequested;
        console.Answer(1);
        console.Press(Key.Esc);
        await window.Settled;
        var leftAfterConfirming = window.StopRequested;
        using var another = Frame(console);
        using var shownAnother = console.Show(another);
        console.Press(MainWindow.QuitKey);

        Assert.True(stayed);
        Assert.True(leftAfterConfirming);
        Assert.Equal(["Quit: Leave the console?", "Quit: Leave the console?"], console.Asked);
        Assert.True(another.StopRequested);
    }

    private static MainWindow Frame(ConsoleHarness console) => new(console.Session,
        new AccountsScreen(console.Session), new AppsScreen(console.Session), new AppRequestsScreen(console.Session), new ClusterScreen(console.Session, "127.0.0.1:0"));

    /// <summary>The status bar: the last line inside the window's border.</summary>
    private static string StatusBar(string screen)
    {
        var lines = screen.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
        return lines[^2].Trim('│', ' ');
    }

    /// <summary>The label shown after each key, in order; fails when a key is missing, as it is when it does not fit.</summary>
    private static string[] Labels(string bar, string[] keys)
    {
        var items = bar.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return [.. keys.Select(key => items.SingleOrDefault(i => i.StartsWith(key + " ", StringComparison.Ordinal)) is { } item
            ? item[(key.Length + 1)..]
            : throw new Xunit.Sdk.XunitException($"No '{key}' on the status bar: {bar}"))];
    }
}

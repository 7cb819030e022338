using Accounts.Orleans.Testing;
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
        await using var console = await RunningConsole.StartAsync();
        var bars = new Dictionary<Key, string>();

        foreach (var key in new[] { Key.F2, Key.F3, Key.F4, Key.F5, Key.F9, Key.F12 })
        {
            await console.PressAsync(key);
            bars[key] = StatusBar(console.Harness.Draw());
        }

        Assert.All(bars.Values, bar => Assert.StartsWith("F10 Menu", bar, StringComparison.Ordinal));
        Assert.Equal(["Connect", "Reconnect", "Rename", "Refresh", "Delete"], Labels(bars[Key.F2], ["F6", "F7", "F8", "Ctrl+R", "Delete"]));
        Assert.Equal(["Import", "Export", "Client", "Disable", "Enable"], Labels(bars[Key.F3], ["F6", "F7", "F8", "Ctrl+T", "Ctrl+U"]));
        Assert.Equal(["Submit", "Vote", "Triage"], Labels(bars[Key.F4], ["F6", "F7", "F8"]));
        Assert.Equal(["Reload"], Labels(bars[Key.F5], ["Ctrl+R"]));
        Assert.Equal(["Add", "Rotate", "Ping", "On/off", "Delete"], Labels(bars[Key.F9], ["F6", "F7", "F8", "Ctrl+T", "Delete"]));
        Assert.Equal(["Redeliver"], Labels(bars[Key.F12], ["F6"]));
        Assert.Contains("Ctrl+Q Quit", bars[Key.F4], StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_80_columns_the_line_under_the_menu_names_every_screen_key_and_the_title_the_operator_and_the_clusters_state()
    {
        await using var console = await RunningConsole.StartAsync();

        await console.PressAsync(Key.F12);
        var lines = console.Harness.Draw().Split('\n');

        Assert.Contains("F2 Accounts F3 Apps F4 App requests F5 Cluster F9 Webhooks [F12 Deliveries]", lines[2], StringComparison.Ordinal);
        Assert.Contains("Accounts.Orleans console – console:ops@test – 1 silo(s)", lines[0], StringComparison.Ordinal);
        Assert.IsType<WebhookDeliveriesScreen>(console.Window.Active);
    }

    [Fact]
    public async Task Paging_keys_work_from_the_frame_though_the_status_bar_leaves_them_to_the_status_line()
    {
        await using var console = await RunningConsole.StartAsync();

        await console.PressAsync(Key.F3);
        var first = console.Harness.Draw();
        await console.PressAsync(Key.PageDown.WithCtrl);
        var second = console.Harness.Draw();
        await console.PressAsync(Key.PageUp.WithCtrl);

        Assert.Contains("page 1: 200 apps · Ctrl+PgDn next", first, StringComparison.Ordinal);
        Assert.Contains("page 2: 200 apps · Ctrl+PgUp previous · Ctrl+PgDn next", second, StringComparison.Ordinal);
        Assert.DoesNotContain("PgDn", StatusBar(second), StringComparison.Ordinal);
        Assert.StartsWith("page 1:", ((AppsScreen)console.Window.Active).Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_screen_key_puts_the_cursor_in_that_screens_search_box_and_plain_letters_never_open_a_menu()
    {
        await using var console = await RunningConsole.StartAsync();

        await console.PressAsync(Key.F3);
        console.Harness.Type("slack");
        var typed = ((AppsScreen)console.Window.Active).SearchText;
        console.Harness.Press(Key.Tab);
        console.Harness.Type("ac");
        var menuAfterLetters = console.Harness.App.Popovers?.GetActivePopover();
        console.Harness.Press(Key.A.WithAlt);
        var menuAfterAlt = console.Harness.App.Popovers?.GetActivePopover();

        Assert.Equal("slack", typed);
        Assert.Null(menuAfterLetters);
        Assert.NotNull(menuAfterAlt);
        Assert.Empty(console.Harness.Told);
    }

    [Fact]
    public async Task Tab_walks_the_search_box_and_filters_then_the_table_where_Delete_asks_about_the_account_with_Cancel_as_Enter()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp("lk_0123456789abcdef0123").StartAsync();
        await fixture.ConnectWithKeyAsync("Billing EU", workspace: "ws_acme");
        await using var console = await RunningConsole.StartAsync(fixture);
        var accounts = (AccountsScreen)console.Window.Active;

        await console.PressAsync(Key.F2);
        console.Harness.Type("b");
        console.Harness.Press(Key.Tab);
        console.Harness.Type("w");
        console.Harness.Press(Key.Tab);
        console.Harness.Type("l");
        var typed = (accounts.SearchText, accounts.WorkspaceFilter, accounts.AppFilter);
        console.Harness.Press(Key.Tab);
        console.Harness.Press(Key.Tab);
        console.Harness.Answer(1);
        await console.PressAsync(Key.Delete);

        Assert.Equal(("b", "w", "l"), typed);
        Assert.Equal(["Delete account: Delete Billing EU (loopback_keys)? Its tokens are revoked where the app allows it and its secrets erased."], console.Harness.Asked);
        Assert.Single(await fixture.ListAsync("ws_acme"));
    }

    [Fact]
    public async Task Esc_on_a_screen_asks_before_leaving_and_Ctrl_Q_leaves_at_once()
    {
        await using var console = await RunningConsole.StartAsync();

        console.Harness.Answer(0);
        await console.PressAsync(Key.Esc);
        var stayed = !console.Window.StopRequested;
        console.Harness.Answer(1);
        await console.PressAsync(Key.Esc);
        var leftAfterConfirming = console.Window.StopRequested;
        using var another = Frame(console.Harness);
        using var shownAnother = console.Harness.Show(another);
        console.Harness.Press(MainWindow.QuitKey);

        Assert.True(stayed);
        Assert.True(leftAfterConfirming);
        Assert.Equal(["Quit: Leave the console?", "Quit: Leave the console?"], console.Harness.Asked);
        Assert.True(another.StopRequested);
    }

    private static MainWindow Frame(ConsoleHarness console) => new(console.Session,
        new AccountsScreen(console.Session), new AppsScreen(console.Session), new AppRequestsScreen(console.Session), new ClusterScreen(console.Session, "127.0.0.1:0"),
        new WebhooksScreen(console.Session), new WebhookDeliveriesScreen(console.Session));

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

    /// <summary>The whole frame running headless against an embedded Host, told the cluster is up.</summary>
    private sealed class RunningConsole : IAsyncDisposable
    {
        private readonly IAsyncDisposable _host;
        private readonly IDisposable _shown;

        private RunningConsole(IAsyncDisposable host, IGrainFactory grains)
        {
            _host = host;
            Harness = new ConsoleHarness(grains);
            Window = Frame(Harness);
            _shown = Harness.Show(Window);
        }

        public ConsoleHarness Harness { get; }

        public MainWindow Window { get; }

        public static async Task<RunningConsole> StartAsync()
        {
            var host = await TestHost.Sqlite().StartAsync();
            return await ConnectedAsync(new RunningConsole(host, host.Grains));
        }

        public static Task<RunningConsole> StartAsync(TestHost host) => ConnectedAsync(new RunningConsole(host, host.Host.Grains));

        private static async Task<RunningConsole> ConnectedAsync(RunningConsole console)
        {
            await console.Window.OnClusterStateAsync(reachable: true, "1 silo(s)");
            return console;
        }

        /// <summary>Presses a key and waits for what it started.</summary>
        public async Task PressAsync(Key key)
        {
            Harness.Press(key);
            await Window.Settled;
        }

        public async ValueTask DisposeAsync()
        {
            _shown.Dispose();
            Window.Dispose();
            Harness.Dispose();
            await _host.DisposeAsync();
        }
    }
}

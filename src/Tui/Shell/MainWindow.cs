using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Drawing;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>
/// The console's frame: a title with the operator and the cluster's state, a menu bar, a line with the screens' keys
/// (a red banner when the cluster cannot be reached), the active screen, and a status bar with the active screen's
/// actions.
/// </summary>
public sealed class MainWindow : Window
{
    private readonly ConsoleSession _session;
    private readonly IReadOnlyList<(Key Key, ConsoleScreen Screen)> _screens;
    private readonly Label _banner = new() { X = 0, Y = 1, Width = Dim.Fill(), Height = 1, HotKeySpecifier = (System.Text.Rune)0xffff };
    private readonly StatusBar _statusBar = new();
    private readonly MenuBar _menu;
    private readonly string _title;
    private readonly Scheme _normal;
    private readonly Scheme _alarm = new(new Terminal.Gui.Drawing.Attribute(ColorName16.White, ColorName16.Red));
    private ConsoleScreen _active;
    private string _clusterState = "connecting…";
    private bool _connected;

    public MainWindow(ConsoleSession session, AccountsScreen accounts, AppsScreen apps, AppRequestsScreen requests, ClusterScreen cluster,
        WebhooksScreen webhooks, WebhookDeliveriesScreen deliveries)
    {
        _session = session;
        _title = $"Accounts.Orleans console – {session.Operator}";
        Title = _title;
        // F6 to F8 are the screens' own actions and F10 the menu; F11 is taken by many terminals for full screen.
        _screens = [(Key.F2, accounts), (Key.F3, apps), (Key.F4, requests), (Key.F5, cluster), (Key.F9, webhooks), (Key.F12, deliveries)];
        _active = accounts;
        _normal = _banner.GetScheme();

        var body = new View { X = 0, Y = 2, Width = Dim.Fill(), Height = Dim.Fill(1), CanFocus = true };
        foreach (var (_, screen) in _screens)
        {
            screen.Visible = screen == _active;
            body.Add(screen);
        }
        _menu = Menu();
        Add(_menu, _banner, body, _statusBar);
        KeyDown += (_, key) =>
        {
            if (key == QuitKey)
            {
                key.Handled = true;
                App?.RequestStop(this);
                return;
            }
            // Esc closes dialogs and menus; on a screen it asks first, so reaching for it one time too many costs nothing.
            if (key == Key.Esc)
            {
                key.Handled = true;
                Settled = ConfirmQuitAsync();
                return;
            }
            foreach (var (screenKey, screen) in _screens)
            {
                if (key != screenKey) continue;
                key.Handled = true;
                Settled = ShowAsync(screen);
                return;
            }
            // The active screen's keys are answered here, before the status bar's shortcuts would be, so a key works
            // whether or not its shortcut fits on the bar.
            if (_active.Actions.FirstOrDefault(a => a.Key == key) is { } action)
            {
                key.Handled = true;
                Settled = RunSafelyAsync(action.Run);
            }
        };
        ShowActions();
        UpdateBanner();
    }

    /// <summary>Leaves the console at once; Esc on a screen asks first.</summary>
    public static Key QuitKey => Key.Q.WithCtrl;

    public ConsoleScreen Active => _active;

    /// <summary>What the last key, shortcut or menu item started; headless tests await it.</summary>
    public Task Settled { get; private set; } = Task.CompletedTask;

    public string Banner => _banner.Text;

    /// <summary>
    /// Switches screens (or, for the screen shown, goes back to its start); the screen reads its data again so what it
    /// shows is current.
    /// </summary>
    public async Task ShowAsync(ConsoleScreen screen)
    {
        if (_active != screen)
        {
            _active.Visible = false;
            _active = screen;
            screen.Visible = true;
            ShowActions();
            UpdateBanner();
        }
        screen.FocusStart();
        if (_connected) await RunSafelyAsync(screen.LoadAsync);
    }

    /// <summary>What the heartbeat learned; coming back after an outage reloads the active screen.</summary>
    public async Task OnClusterStateAsync(bool reachable, string state)
    {
        var cameBack = reachable && !_connected;
        _connected = reachable;
        _clusterState = state;
        UpdateBanner();
        if (cameBack) await RunSafelyAsync(_active.LoadAsync);
        else if (reachable && _active is ClusterScreen) await RunSafelyAsync(_active.LoadAsync);
    }

    /// <summary>
    /// Every screen's key fits the line at 80 columns only on its own, so the cluster's state goes to the title, which
    /// has room to spare after the operator's name.
    /// </summary>
    private void UpdateBanner()
    {
        var tabs = string.Join(' ', _screens.Select(s => s.Screen == _active ? $"[{s.Key} {s.Screen.Name}]" : $"{s.Key} {s.Screen.Name}"));
        _banner.Text = _connected ? tabs : $" CLUSTER UNREACHABLE: {_clusterState} – retrying…";
        _banner.SetScheme(_connected ? _normal : _alarm);
        Title = _connected ? $"{_title} – {_clusterState}" : _title;
    }

    /// <summary>
    /// The menu key first, so every action stays one key away however narrow the terminal; then the screen's actions,
    /// and quit. Paging keys stay off the bar: the status line names them when there is another page.
    /// </summary>
    private void ShowActions()
    {
        _statusBar.RemoveAll();
        Show(new Shortcut(MenuBar.DefaultKey, "Menu", () => _menu.InvokeCommand(Command.HotKey)));
        foreach (var action in _active.Actions.Where(a => a.Key != Key.PageDown.WithCtrl && a.Key != Key.PageUp.WithCtrl))
            Show(new Shortcut(action.Key, action.Label, () => Settled = RunSafelyAsync(action.Run)));
        Show(new Shortcut(QuitKey, "Quit", () => App?.RequestStop(this)));
    }

    /// <summary>One space between a key and its label instead of two, so a screen's actions fit 80 columns.</summary>
    private void Show(Shortcut shortcut)
    {
        _statusBar.Add(shortcut);
        shortcut.KeyView.Margin.Thickness = new Thickness(1, 0, 0, 0);
        shortcut.CommandView!.Margin.Thickness = new Thickness(1, 0, 0, 0);
    }

    private MenuBar Menu()
    {
        var items = new List<MenuBarItem> { new("_File", [new MenuItem("_Quit", QuitKey.ToString(), () => App?.RequestStop(this), Key.Empty)]) };
        // Each menu needs its own Alt+letter: Accounts, aPps, reQuests, Cluster, Webhooks, Deliveries.
        string[] titles = ["_Accounts", "A_pps", "Re_quests", "_Cluster", "_Webhooks", "_Deliveries"];
        foreach (var ((key, screen), title) in _screens.Zip(titles))
        {
            var entries = new List<View> { new MenuItem($"_Show {screen.Name}", key.ToString(), () => Settled = ShowAsync(screen), Key.Empty) };
            entries.AddRange(screen.Actions.Select(a => new MenuItem(a.MenuText, a.Key.ToString(), () => Settled = RunFromMenuAsync(screen, a), Key.Empty)));
            items.Add(new MenuBarItem(title, entries));
        }
        // A menu opens with Alt+letter (or F10) only: as a plain letter it would open whenever a key typed outside a
        // text box, into the table say, happens to be a menu's letter, and the next letter would pick an action.
        foreach (var item in items)
        {
            item.HotKeyBindings.Remove(item.HotKey);
            item.HotKeyBindings.Remove(item.HotKey.WithShift);
        }
        return new MenuBar(items);
    }

    private async Task RunFromMenuAsync(ConsoleScreen screen, ScreenAction action)
    {
        await ShowAsync(screen);
        await RunSafelyAsync(action.Run);
    }

    private async Task ConfirmQuitAsync()
    {
        if (await _session.Modals.ChooseAsync("Quit", "Leave the console?", "Stay", "Quit") == 1) App?.RequestStop(this);
    }

    /// <summary>The edge of the console: whatever an action throws becomes a readable dialog, never a stack trace.</summary>
    private async Task RunSafelyAsync(Func<Task> work)
    {
        try
        {
            await work();
        }
        catch (Exception e)
        {
            var message = ErrorText.IsExpected(e) ? ErrorText.Describe(e) : $"Unexpected error ({e.GetType().Name}): {e.Message.Split('\n', 2)[0]}";
            await _session.Modals.TellAsync("Error", message);
        }
    }
}

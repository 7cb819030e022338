using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.App;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The accounts screen, drawn headless (ANSI driver, buffer only) against a real embedded Host.</summary>
public sealed class AccountsScreenTests
{
    private const string Key = "lk_0123456789abcdef0123";

    [Fact]
    public async Task The_screen_lists_accounts_from_the_index_filters_by_search_and_never_shows_a_key()
    {
        using var data = new TempDirectory();
        await using var keyApp = await LoopbackKeyApp.StartAsync(Key);
        var settings = RunningHost.Sqlite(data.Path);
        keyApp.AddTo(settings);
        await using var host = await RunningHost.StartAsync(settings);
        foreach (var nickname in new[] { "Billing EU", "Marketing" })
        {
            await host.Grains.GetGrain<IAccountConnectorGrain>(0).ConnectWithKeysAsync(new KeyConnectRequest
            {
                WorkspaceId = "ws_acme", AppSlug = LoopbackKeyApp.Slug, Nickname = nickname,
                Fields = new Dictionary<string, string> { ["api_key"] = Key }, Actor = "ops",
            });
        }

        using IApplication app = Application.Create().Init();
        using var window = new Window { Title = "Accounts" };
        var screen = new AccountsScreen(host.Grains);
        window.Add(screen);

        await screen.LoadAsync();
        var all = Screen.Draw(app, window);
        screen.SearchText = "market";
        await screen.LoadAsync();
        var searched = Screen.Draw(app, window);

        Assert.Contains("Billing EU", all, StringComparison.Ordinal);
        Assert.Contains("Marketing", all, StringComparison.Ordinal);
        Assert.Contains("2 account(s)", all, StringComparison.Ordinal);
        Assert.Contains("api_key: ••••0123", all, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, all, StringComparison.Ordinal);
        Assert.Contains("Marketing", searched, StringComparison.Ordinal);
        Assert.DoesNotContain("Billing EU", searched, StringComparison.Ordinal);
        Assert.Contains("1 account(s)", searched, StringComparison.Ordinal);
    }
}

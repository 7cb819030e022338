using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.App;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

public sealed class AppsScreenTests
{
    [Fact]
    public async Task The_apps_screen_searches_the_catalog_and_shows_how_the_first_match_connects()
    {
        using var data = new TempDirectory();
        var settings = RunningHost.Sqlite(data.Path);
        settings["Accounts:OAuthClients:slack:ClientId"] = "1234.5678";
        settings["Accounts:OAuthClients:slack:ClientSecret"] = "slack-secret-tui-canary";
        await using var host = await RunningHost.StartAsync(settings);

        using IApplication app = Application.Create().Init();
        using var window = new Window { Title = "Apps" };
        var screen = new AppsScreen(host.Grains) { SearchText = "sendgrid" };
        window.Add(screen);
        await screen.LoadAsync();
        var sendgrid = Screen.Draw(app, window);
        screen.SearchText = "slack";
        await screen.LoadAsync();
        var slack = Screen.Draw(app, window);

        Assert.Contains("SendGrid", sendgrid, StringComparison.Ordinal);
        Assert.Contains("Field api_key", sendgrid, StringComparison.Ordinal);
        Assert.Contains("(secret)", sendgrid, StringComparison.Ordinal);
        Assert.Contains("app(s)", sendgrid, StringComparison.Ordinal);
        Assert.Contains("Slack", slack, StringComparison.Ordinal);
        Assert.DoesNotContain("slack-secret-tui-canary", slack, StringComparison.Ordinal);
    }
}

/// <summary>Draws a window once into the headless driver's buffer and returns the screen text.</summary>
internal static class Screen
{
    public static string Draw(IApplication app, Window window)
    {
        var token = app.Begin(window) ?? throw new InvalidOperationException("The window did not start.");
        try
        {
            app.LayoutAndDraw(true);
            return app.Driver!.ToString() ?? "";
        }
        finally
        {
            app.End(token);
        }
    }
}

using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Dialogs;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The apps screen and its dialogs, driven headless against a real embedded Host on the shipped catalog.</summary>
public sealed class AppsScreenTests
{
    private const string Operator = "console:ops@test";

    [Fact]
    public async Task Searching_the_catalog_lists_the_matching_apps_and_details_show_how_they_connect()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session);
        window.Add(screen);

        screen.SearchText = "sendgrid";
        await screen.LoadAsync();
        var sendgrid = console.Draw(window);
        var sendgridSelected = screen.Selected?.Slug;
        screen.SearchText = "slack";
        await screen.LoadAsync();
        Assert.True(screen.SelectWhere(a => a.Slug == "slack"));
        var slack = console.Draw(window);

        Assert.Equal("sendgrid", sendgridSelected);
        Assert.Contains("1 app", sendgrid, StringComparison.Ordinal);
        Assert.DoesNotContain("Slack", sendgrid, StringComparison.Ordinal);
        var sendgridDetails = ScreenText.DetailsPane(sendgrid, "SendGrid (sendgrid)");
        Assert.Contains("Connects with: keys", sendgridDetails, StringComparison.Ordinal);
        Assert.Matches(@"Field api_key: [^()]+ \(secret\)", sendgridDetails);
        Assert.DoesNotContain("SendGrid", slack, StringComparison.Ordinal);
        var slackDetails = ScreenText.DetailsPane(slack, "Slack (slack)");
        Assert.Contains("Connects with: OAuth 2.0", slackDetails, StringComparison.Ordinal);
        Assert.Contains("OAuth client: none yet (F8 to enter one)", slackDetails, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth_client_entered_in_the_dialog_is_stored_under_the_operator_and_its_secret_is_never_shown()
    {
        const string secret = "canary-7f3a9c-client-secret";
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session) { SearchText = "slack" };
        window.Add(screen);
        await screen.LoadAsync();
        var drawn = new List<string>();
        console.OnDialog<OAuthClientDialog>(async dialog =>
        {
            console.Type("slack-cid");
            console.Press(Key.Tab);
            console.Type(secret);
            drawn.Add(console.Draw());
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        Assert.True(screen.SelectWhere(a => a.Slug == "slack"));
        await screen.EditClientAsync();
        drawn.Add(console.Draw(window));

        var typing = drawn[0];
        Assert.Contains("OAuth client for Slack", typing, StringComparison.Ordinal);
        Assert.Contains("slack-cid", typing, StringComparison.Ordinal);
        Assert.Contains("No client yet.", typing, StringComparison.Ordinal);
        Assert.Matches(@"Callback URL:\s+http://127\.0\.0\.1:\d+/oauth/callback", typing);
        Assert.Contains($"OAuth client: slack-cid, secret stored encrypted (by {Operator}", ScreenText.DetailsPane(drawn[1], "Slack (slack)"), StringComparison.Ordinal);
        Assert.All(drawn, screenText => Assert.DoesNotContain(secret, screenText, StringComparison.Ordinal));
        var clients = await Clients(host).ListAsync();
        var client = Assert.Single(clients);
        Assert.Equal(("slack", "slack-cid", true, OAuthClientSource.Stored, Operator), (client.AppSlug, client.ClientId, client.HasSecret, client.Source, client.UpdatedBy));
        Assert.DoesNotContain(secret, string.Join('\n', clients), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_app_whose_client_comes_from_configuration_says_so_and_the_dialog_shows_the_refusal_to_store_another()
    {
        const string configuredSecret = "canary-config-secret-91b2";
        await using var host = await TestHost.Sqlite().With(settings =>
        {
            settings["Accounts:OAuthClients:github:ClientId"] = "gh-configured";
            settings["Accounts:OAuthClients:github:ClientSecret"] = configuredSecret;
        }).StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session) { SearchText = "github" };
        window.Add(screen);
        await screen.LoadAsync();
        Assert.True(screen.SelectWhere(a => a.Slug == "github"));
        var listed = console.Draw(window);
        string refused = "";
        console.OnDialog<OAuthClientDialog>(async dialog =>
        {
            Assert.Equal("gh-configured", dialog.ClientId);
            console.Press(Key.Tab);
            console.Type("another-secret");
            console.Press(Key.Enter);
            await dialog.Settled;
            refused = console.Draw();
            Assert.False(dialog.Succeeded);
            Assert.Contains("is set in configuration (Accounts:OAuthClients:github)", dialog.Error, StringComparison.Ordinal);
        });

        await screen.EditClientAsync();

        Assert.Contains("OAuth client: gh-configured (from configuration)", ScreenText.DetailsPane(listed, "GitHub (github)"), StringComparison.Ordinal);
        Assert.Contains("Set in the service's configuration", refused, StringComparison.Ordinal);
        Assert.Contains("The OAuth client of 'github' is set in configuration", refused, StringComparison.Ordinal);
        Assert.DoesNotContain(configuredSecret, listed + refused, StringComparison.Ordinal);
        var client = Assert.Single(await Clients(host).ListAsync());
        Assert.Equal(("gh-configured", OAuthClientSource.Configuration, null), (client.ClientId, client.Source, client.UpdatedBy));
    }

    [Fact]
    public async Task A_client_secret_expiry_entered_in_the_dialog_shows_its_days_left_and_a_warning_within_7_days()
    {
        const string secret = "canary-3b7e-current-secret";
        const string next = "canary-9d1c-next-secret";
        // Noon, so midnight seven days on is six and a half days away.
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(DateTime.UtcNow.Date.AddHours(12), TimeSpan.Zero));
        var expires = clock.GetUtcNow().UtcDateTime.Date.AddDays(7);
        await using var host = await TestHost.Sqlite().WithTime(clock).StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session with { Clock = clock }) { SearchText = "slack" };
        window.Add(screen);
        await screen.LoadAsync();
        var drawn = new List<string>();
        console.OnDialog<OAuthClientDialog>(async dialog =>
        {
            console.Type("slack-cid");
            console.Press(Key.Tab);
            console.Type(secret);
            console.Press(Key.Tab);
            console.Type(expires.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
            console.Press(Key.Tab);
            console.Type(next);
            drawn.Add(console.Draw());
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        Assert.True(screen.SelectWhere(a => a.Slug == "slack"));
        await screen.EditClientAsync();
        drawn.Add(console.Draw(window));

        var details = ScreenText.DetailsPane(drawn[1], "Slack (slack)");
        Assert.Contains($"Secret expires {expires:yyyy-MM-dd} (in 6 days)", details, StringComparison.Ordinal);
        Assert.Contains("WARNING", details, StringComparison.Ordinal);
        Assert.Contains("Next secret stored", details, StringComparison.Ordinal);
        Assert.All(drawn, screenText => Assert.DoesNotContain("canary", screenText, StringComparison.Ordinal));
        var client = Assert.Single(await Clients(host).ListAsync());
        Assert.Equal((OAuthClientSecretWarning.Within7Days, true), (client.SecretWarning, client.HasNextSecret));
    }

    [Fact]
    public async Task An_exported_app_edited_and_imported_back_overrides_the_catalog_entry()
    {
        using var files = new TempDirectory();
        var path = Path.Combine(files.Path, "sendgrid.json");
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session) { SearchText = "sendgrid" };
        window.Add(screen);
        await screen.LoadAsync();
        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            dialog.Value = path;
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            dialog.Value = path;
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        await screen.ExportAsync();
        var exported = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        var edited = exported.Replace("\"name\": \"SendGrid\"", "\"name\": \"SendGrid Europe\"", StringComparison.Ordinal);
        Assert.NotEqual(exported, edited);
        await File.WriteAllTextAsync(path, edited, TestContext.Current.CancellationToken);
        await screen.ImportAsync();
        var listed = console.Draw(window);

        Assert.Equal("sendgrid", Assert.Single(CatalogDocument.Read(exported)).Slug);
        Assert.Equal(["Import: Saved 1 app(s): sendgrid."], console.Told);
        Assert.Equal("SendGrid Europe", (await Reader(host).GetAppAsync("sendgrid"))?.Name);
        Assert.Contains("SendGrid Europe", listed, StringComparison.Ordinal);
        Assert.Contains("Connects with: keys", ScreenText.DetailsPane(listed, "SendGrid Europe (sendgrid)"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Importing_a_malformed_file_shows_why_inside_the_dialog_and_changes_nothing()
    {
        using var files = new TempDirectory();
        var path = Path.Combine(files.Path, "broken.json");
        await File.WriteAllTextAsync(path, """{ "formatVersion": 1, "apps": [ { "slug": "sendgrid", "name": """, TestContext.Current.CancellationToken);
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        var screen = new AppsScreen(console.Session) { SearchText = "sendgrid" };
        await screen.LoadAsync();
        string refused = "";
        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            dialog.Value = path;
            console.Press(Key.Enter);
            await dialog.Settled;
            refused = console.Draw();
            Assert.False(dialog.Succeeded);
            Assert.StartsWith(path + ":", dialog.Error, StringComparison.Ordinal);
        });

        await screen.ImportAsync();

        Assert.Contains("broken.json:", refused, StringComparison.Ordinal);
        Assert.Empty(console.Told);
        Assert.Equal("SendGrid", (await Reader(host).GetAppAsync("sendgrid"))?.Name);
    }

    [Fact]
    public async Task Disabling_the_selected_app_hides_it_from_the_list_and_enabling_it_by_slug_brings_it_back()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppsScreen(console.Session) { SearchText = "sendgrid" };
        window.Add(screen);
        await screen.LoadAsync();
        console.Answer(0);  // Disable
        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            console.Type("sendgrid");
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        await screen.DisableAsync();
        var disabled = console.Draw(window);
        var disabledInCatalog = await Reader(host).GetAppAsync("sendgrid");
        await screen.EnableAsync();
        var enabled = console.Draw(window);

        Assert.Equal(["Disable app: Hide SendGrid from the catalog? Its existing accounts keep working; Ctrl+U enables it again."], console.Asked);
        Assert.True(disabledInCatalog?.Disabled);
        Assert.Contains("0 apps", disabled, StringComparison.Ordinal);
        Assert.DoesNotContain("SendGrid", disabled, StringComparison.Ordinal);
        Assert.Contains("1 app", enabled, StringComparison.Ordinal);
        Assert.Contains("Connects with: keys", ScreenText.DetailsPane(enabled, "SendGrid (sendgrid)"), StringComparison.Ordinal);
        Assert.False((await Reader(host).GetAppAsync("sendgrid"))?.Disabled);
    }

    private static IAppCatalogReaderGrain Reader(TestHost host) => host.Grains.GetGrain<IAppCatalogReaderGrain>(0);

    private static IOAuthClientRegistryGrain Clients(TestHost host) => host.Grains.GetGrain<IOAuthClientRegistryGrain>(0);
}

using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Accounts.Orleans.Tui.Dialogs;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>Rename, delete and OAuth connect from the accounts screen, against a real Host (and a real OAuth server).</summary>
public sealed class AccountActionsTests
{
    private const string ApiKey = "lk_0123456789abcdef0123";
    private const string Workspace = "ws_acme";

    [Fact]
    public async Task Rename_refuses_an_empty_nickname_in_the_dialog_then_renames_and_audits_the_operator()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp(ApiKey).StartAsync();
        var account = await fixture.ConnectWithKeyAsync("Billing", workspace: Workspace);
        using var console = new ConsoleHarness(fixture.Host.Grains);
        var screen = new AccountsScreen(console.Session);
        await screen.LoadAsync().WaitAsync(TestContext.Current.CancellationToken);
        string? refusal = null;

        console.OnDialog<TextPromptDialog>(async dialog =>
        {
            dialog.Value = "";
            console.Press(Key.Enter);
            await dialog.Settled;
            refusal = dialog.Error;
            Assert.False(dialog.Succeeded);
            dialog.Value = "Billing (EU)";
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        await screen.RenameAsync();

        Assert.Contains("nickname", refusal, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Billing (EU)", screen.Selected?.Nickname);
        var audit = await fixture.Host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync(account.Id, 10);
        Assert.Contains(audit, e => e.Actor == "console:ops@test" && e.Action.Contains("rename", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Delete_names_the_linked_workflows_keeps_the_account_when_cancelled_and_deletes_it_when_confirmed()
    {
        await using var fixture = await TestHost.Sqlite().WithKeyApp(ApiKey).StartAsync();
        var account = await fixture.ConnectWithKeyAsync("Billing", workspace: Workspace);
        var grain = fixture.Host.Grains.GetGrain<IConnectedAccountGrain>(account.Id);
        await grain.LinkAsync(Workspace, new WorkflowStep("wf_invoices", "send_invoice"));
        await grain.LinkAsync(Workspace, new WorkflowStep("wf_invoices", "remind"));
        await grain.LinkAsync(Workspace, new WorkflowStep("wf_payroll", "notify"));
        using var console = new ConsoleHarness(fixture.Host.Grains);
        var screen = new AccountsScreen(console.Session);
        await screen.LoadAsync().WaitAsync(TestContext.Current.CancellationToken);

        console.Answer(1);  // Cancel
        await screen.DeleteAsync();
        var afterCancel = await grain.GetAsync();
        console.Answer(0);  // Delete anyway
        await screen.DeleteAsync();

        Assert.Equal(2, console.Asked.Count);
        Assert.Contains("workflow wf_invoices (steps send_invoice, remind)", console.Asked[0], StringComparison.Ordinal);
        Assert.Contains("workflow wf_payroll (step notify)", console.Asked[0], StringComparison.Ordinal);
        Assert.Equal(AccountHealth.Healthy, afterCancel.Health);
        Assert.Equal(AccountHealth.Deleted, (await grain.GetAsync()).Health);
        Assert.Null(screen.Selected);
        Assert.Contains("0 accounts", screen.Status, StringComparison.Ordinal);
        Assert.Empty(console.Told);
    }

    [Fact]
    public async Task An_app_that_needs_a_setting_asks_for_it_before_consent_and_the_flow_goes_where_it_points()
    {
        await using var fixture = await TestHost.Sqlite().WithFakeTokenEndpoint().WithOAuthApp(app =>
        {
            var origin = new Uri(app.OAuth!.TokenUrl).GetLeftPart(UriPartial.Authority);
            return app with
            {
                Settings = [new ConnectionSetting { Name = "tenant", Label = "Tenant", Pattern = "^[a-z0-9-]+$" }],
                OAuth = app.OAuth with { AuthorizeUrl = origin + "/{{tenant}}/authorize", TokenUrl = origin + "/{{tenant}}/token" },
            };
        }).StartAsync();
        using var console = new ConsoleHarness(fixture.Host.Grains);
        var screen = new AccountsScreen(console.Session) { WorkspaceFilter = Workspace };
        string? authorizeUrl = null;

        console.OnDialog<ConnectDialog>(async dialog =>
        {
            dialog.SearchText = TestHost.OAuthSlug;
            dialog.NicknameText = "Tenant account";
            await dialog.Lookups;
            console.Press(Key.Enter);
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        console.OnDialog<ConnectionSettingsDialog>(async dialog =>
        {
            console.Type("evil.example/");
            Assert.Contains("does not have the expected format", dialog.ProblemOf("tenant"), StringComparison.Ordinal);
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.False(dialog.Succeeded);
            dialog.SetValue("tenant", "acme");
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        console.OnDialog<OAuthConnectDialog>(async dialog =>
        {
            await Eventually.TrueAsync(() => dialog.Url is not null || dialog.Finished.IsCompleted, TimeSpan.FromSeconds(10), "the authorize URL");
            var browser = new HostBrowser(fixture.Http.BaseAddress!);
            var opened = await browser.OpenFlowAsync(dialog.Url!);
            authorizeUrl = opened.AuthorizeUrl.ToString();
            var state = System.Web.HttpUtility.ParseQueryString(opened.AuthorizeUrl.Query)["state"];
            using var page = await browser.CallbackAsync($"state={state}&code=c", opened.Cookie);
            Assert.True(page.IsSuccessStatusCode);
            await dialog.Finished.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        await screen.ConnectAsync();

        Assert.Contains("/acme/authorize?", authorizeUrl, StringComparison.Ordinal);
        Assert.Equal(["/acme/token"], fixture.Fake!.Requests.Select(r => r.Path));
        Assert.Equal("Tenant account", screen.Selected?.Nickname);
        Assert.Equal("acme", screen.Selected?.Connection["tenant"]);
    }

    [Fact]
    public async Task The_OAuth_connect_dialog_shows_the_authorize_url_and_shows_the_account_when_the_callback_arrives()
    {
        const string slug = "loopback_oauth";
        const string redirect = "http://127.0.0.1/oauth/callback";
        await using var server = await LoopbackAuthorizationServer.StartAsync(new LoopbackAuthorizationServerOptions
        {
            RedirectUris = [redirect], AccessTokenLifetime = TimeSpan.FromHours(1),
        }, TestContext.Current.CancellationToken);
        using var data = new TempDirectory();
        var settings = RunningHost.Sqlite(data.Path);
        settings[$"Accounts:OAuthClients:{slug}:ClientId"] = server.Options.ClientId;
        settings[$"Accounts:OAuthClients:{slug}:ClientSecret"] = server.Options.ClientSecret;
        settings["Accounts:Connections:RedirectUri"] = redirect;
        TestCatalog.AddTo(settings, TestCatalog.OAuthApp(slug, server.AuthorizeEndpoint, server.TokenEndpoint, server.RevocationEndpoint));
        await using var host = await RunningHost.StartAsync(settings);
        using var console = new ConsoleHarness(host.Grains);
        var screen = new AccountsScreen(console.Session) { WorkspaceFilter = Workspace };
        string? waiting = null, connected = null;

        console.OnDialog<ConnectDialog>(async dialog =>
        {
            dialog.SearchText = slug;
            dialog.NicknameText = "Team drive";
            await dialog.Lookups;
            console.Press(Key.Enter);  // from the search box to the list of apps
            console.Press(Key.Enter);  // the app under the cursor
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        console.OnDialog<OAuthConnectDialog>(async dialog =>
        {
            await Eventually.TrueAsync(() => dialog.Url is not null || dialog.Finished.IsCompleted, TimeSpan.FromSeconds(10), "the authorize URL");
            Assert.NotNull(dialog.Url);
            waiting = console.Draw();
            Assert.False(dialog.Finished.IsCompleted);

            // The person's browser: the Host's start page, consent at the app, then the app's redirect reaches the Host's callback.
            var browser = new HostBrowser(host.Http.BaseAddress!);
            var opened = await browser.OpenFlowAsync(dialog.Url);
            var back = await server.AuthorizeAsUserAsync(opened.AuthorizeUrl, TestContext.Current.CancellationToken);
            using var page = await browser.CallbackAsync(back.Query, opened.Cookie);
            Assert.True(page.IsSuccessStatusCode);

            await dialog.Finished.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            connected = console.Draw();
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        await screen.ConnectAsync();

        Assert.Contains("Waiting for the app to call back", waiting, StringComparison.Ordinal);
        Assert.Contains("/connect/oauth?flow=", waiting, StringComparison.Ordinal);
        Assert.Contains("Connected: Team drive", connected, StringComparison.Ordinal);
        Assert.Equal("Team drive", screen.Selected?.Nickname);
        Assert.Equal(AccountHealth.Healthy, screen.Selected?.Health);
        Assert.Equal(1, server.CodeExchanges);
    }
}

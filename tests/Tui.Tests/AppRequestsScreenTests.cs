using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Dialogs;
using Accounts.Orleans.Tui.Screens;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The app requests screen and its dialogs, driven headless against a real embedded Host.</summary>
public sealed class AppRequestsScreenTests
{
    private const string Operator = "console:ops@test";

    [Fact]
    public async Task A_submitted_request_is_opened_and_selected_and_another_operators_submission_folds_into_a_vote()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        await SubmitAsync(host, "Older Favourite", "first@test");
        await SubmitAsync(host, "Older Favourite", "second@test");
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppRequestsScreen(console.Session);
        window.Add(screen);
        await screen.LoadAsync();
        console.OnDialog<SubmitRequestDialog>(async dialog =>
        {
            console.Type("Acme Widgets");
            console.Press(Key.Tab);
            console.Type("https://acme-widgets.example");
            console.Press(Key.Tab);
            console.Type("Sales tracks orders there");
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        await screen.SubmitAsync();
        var afterSubmit = console.Draw(window);
        var selectedAfterSubmit = screen.Selected;
        var colleague = new AppRequestsScreen(console.Session with { Operator = "console:colleague@test" });
        await colleague.LoadAsync();
        Assert.True(colleague.SelectWhere(r => r.Name == "Acme Widgets"));
        await colleague.VoteAsync();
        await screen.ReloadAsync();
        await screen.VoteAsync();

        var opened = Assert.Single((await Catalog(host).ListRequestsAsync(new AppRequestQuery())).Items, r => r.Name == "Acme Widgets");
        Assert.Equal("https://acme-widgets.example", opened.Url);
        Assert.Equal(opened.Id, selectedAfterSubmit?.Id);
        Assert.Contains("Acme Widgets", afterSubmit, StringComparison.Ordinal);
        Assert.Contains("Sales tracks orders there", afterSubmit, StringComparison.Ordinal);
        Assert.Contains("2 requests", afterSubmit, StringComparison.Ordinal);
        Assert.Equal(
            [
                "App request: Opened a request for Acme Widgets.",
                "Vote: Acme Widgets was already requested; your vote makes 2.",
                "Vote: You already asked for Acme Widgets; it has 2 vote(s).",
            ],
            console.Told);
        Assert.Equal(2, opened.Votes);
        Assert.Equal(["Sales tracks orders there"], opened.Reasons);
    }

    [Theory]
    [InlineData("Slack", "already has this app as 'slack'")]
    [InlineData("An app whose name goes on and on well past the hundred characters a request name may have, to be refused", "name: must be at most 100 characters")]
    public async Task A_refused_submission_shows_the_reason_inside_the_dialog_and_opens_nothing(string name, string reason)
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var console = new ConsoleHarness(host.Grains, Operator);
        var screen = new AppRequestsScreen(console.Session);
        string drawn = "";
        console.OnDialog<SubmitRequestDialog>(async dialog =>
        {
            dialog.Fill(name, null, "We need it");
            console.Press(Key.Enter);
            await dialog.Settled;
            drawn = console.Draw();
            Assert.False(dialog.Succeeded);
            Assert.Contains(reason, dialog.Error, StringComparison.Ordinal);
        });

        await screen.SubmitAsync();

        Assert.Contains(reason, drawn, StringComparison.Ordinal);
        Assert.Empty((await Catalog(host).ListRequestsAsync(new AppRequestQuery())).Items);
        Assert.Empty(console.Told);
    }

    [Fact]
    public async Task Triage_records_planned_then_shipped_by_keyboard_with_the_operator_and_the_status_filter_shows_only_shipped_requests()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var shippedLater = await SubmitAsync(host, "Loopback Chat");
        await SubmitAsync(host, "Still Wanted");
        using var console = new ConsoleHarness(host.Grains, Operator);
        using var window = new Window();
        var screen = new AppRequestsScreen(console.Session);
        window.Add(screen);
        await screen.LoadAsync();
        console.OnDialog<TriageDialog>(async dialog =>
        {
            // An open request comes up as Planned, so Enter alone plans it.
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });
        string refused = "";
        console.OnDialog<TriageDialog>(async dialog =>
        {
            dialog.Decide(AppRequestStatus.Shipped, null, null);
            console.Press(Key.Enter);
            await dialog.Settled;
            refused = console.Draw();
            Assert.False(dialog.Succeeded);
            Assert.Contains("needs the slug of an app in the catalog", dialog.Error, StringComparison.Ordinal);
        });
        console.OnDialog<TriageDialog>(async dialog =>
        {
            // By keyboard alone: the arrow chooses Shipped, Tab goes on to the slug, then to the note.
            console.Press(Key.CursorDown);
            console.Press(Key.Tab);
            console.Type("slack");
            console.Press(Key.Tab);
            console.Type("ships as Slack");
            console.Press(Key.Enter);
            await dialog.Settled;
            Assert.True(dialog.Succeeded, dialog.Error);
        });

        Assert.True(screen.SelectWhere(r => r.Id == shippedLater.Id));
        await screen.TriageAsync();
        var planned = console.Draw(window);
        await screen.TriageAsync();
        var afterRefusal = (await Catalog(host).ListRequestsAsync(new AppRequestQuery { Status = AppRequestStatus.Planned })).Items.Single();
        await screen.TriageAsync();
        var shipped = console.Draw(window);
        screen.StatusFilter = RequestFilter.Shipped;
        await screen.LoadAsync();
        var filtered = console.Draw(window);

        var plannedDetails = ScreenText.DetailsPane(planned, "Loopback Chat");
        Assert.Contains("Status: Planned", plannedDetails, StringComparison.Ordinal);
        Assert.Matches($@"Decisions: \d{{4}}-\d\d-\d\d Open → Planned by {Operator}$", plannedDetails);
        Assert.Contains("needs the slug of an app in the catalog", refused, StringComparison.Ordinal);
        Assert.Equal(shippedLater.Id, afterRefusal.Id);
        Assert.Single(afterRefusal.History);
        var shippedDetails = ScreenText.DetailsPane(shipped, "Loopback Chat");
        Assert.Contains("Status: Shipped as 'slack'", shippedDetails, StringComparison.Ordinal);
        Assert.Contains($"Open → Planned by {Operator}", shippedDetails, StringComparison.Ordinal);
        Assert.Contains($"Planned → Shipped by {Operator}: ships as Slack", shippedDetails, StringComparison.Ordinal);
        Assert.Contains("Loopback Chat", filtered, StringComparison.Ordinal);
        Assert.DoesNotContain("Still Wanted", filtered, StringComparison.Ordinal);
        Assert.Contains("1 request", filtered, StringComparison.Ordinal);
    }

    private static IAppCatalogGrain Catalog(TestHost host) => host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

    private static async Task<AppRequest> SubmitAsync(TestHost host, string name, string requestedBy = "someone@test") =>
        (await Catalog(host).SubmitRequestAsync(new AppRequestSubmission(name, null, null, requestedBy))).Request;
}

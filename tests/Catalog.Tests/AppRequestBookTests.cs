using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Catalog.Requests;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class AppRequestBookTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CatalogComposition EmptyCatalog = TestApps.Catalog();

    private readonly AppRequestsState _state = new();

    private AppRequestBook Book => new(_state);

    [Fact]
    public void Submit_opens_a_request_with_one_vote()
    {
        var outcome = Book.Submit(Ask("Google Sheets", "ana@example.com", "https://www.google.com/sheets", "Budgets."), EmptyCatalog, "req_1", T0);

        Assert.Equal(AppRequestOutcomeKind.Created, outcome.Kind);
        Assert.Equal("req_1", outcome.Request.Id);
        Assert.Equal("Google Sheets", outcome.Request.Name);
        Assert.Equal("https://www.google.com/sheets", outcome.Request.Url);
        Assert.Equal(AppRequestStatus.Open, outcome.Request.Status);
        Assert.Equal(1, outcome.Request.Votes);
        Assert.Equal(["Budgets."], outcome.Request.Reasons);
        Assert.Equal(T0, outcome.Request.CreatedAt);
        Assert.Equal(["req_1"], _state.Requests.Keys);
    }

    [Theory]
    [InlineData("google_sheets", null)]
    [InlineData("GOOGLE-SHEETS", null)]
    [InlineData("Spreadsheets by Google", "https://google.com/")]
    public void Submission_for_the_same_app_by_another_requester_adds_a_vote(string name, string? url)
    {
        Book.Submit(Ask("Google Sheets", "ana@example.com", "https://www.google.com/sheets"), EmptyCatalog, "req_1", T0);

        var outcome = Book.Submit(Ask(name, "bo@example.com", url), EmptyCatalog, "req_2", T0.AddHours(1));

        Assert.Equal(AppRequestOutcomeKind.Voted, outcome.Kind);
        Assert.Equal("req_1", outcome.Request.Id);
        Assert.Equal(2, outcome.Request.Votes);
        Assert.Equal("Google Sheets", outcome.Request.Name);
        Assert.Equal(T0.AddHours(1), outcome.Request.UpdatedAt);
        Assert.Single(_state.Requests);
    }

    [Fact]
    public void Vote_with_a_url_fills_in_a_request_that_had_none()
    {
        Book.Submit(Ask("Google Sheets", "ana@example.com"), EmptyCatalog, "req_1", T0);

        var outcome = Book.Submit(Ask("Google Sheets", "bo@example.com", "https://sheets.google.com"), EmptyCatalog, "req_2", T0);

        Assert.Equal("https://sheets.google.com", outcome.Request.Url);
    }

    [Fact]
    public void Same_requester_again_is_already_voted_and_changes_nothing()
    {
        Book.Submit(Ask("Google Sheets", "ana@example.com", reason: "Budgets."), EmptyCatalog, "req_1", T0);

        var outcome = Book.Submit(Ask("google sheets", "  Ana@Example.COM ", reason: "Still budgets."), EmptyCatalog, "req_2", T0.AddHours(1));

        Assert.Equal(AppRequestOutcomeKind.AlreadyVoted, outcome.Kind);
        Assert.Equal(1, outcome.Request.Votes);
        Assert.Equal(["Budgets."], outcome.Request.Reasons);
        Assert.Equal(T0, _state.Requests["req_1"].UpdatedAt);
    }

    [Theory]
    [InlineData("Acme Payments", null)]                             // the app's name
    [InlineData("Acme Pay", null)]                                  // its slug, acme_pay
    [InlineData("Road Runner", null)]                               // its alias, road_runner
    [InlineData("Something Else", "https://acme-pay.example.com/pricing")] // its website's domain
    public void Submission_for_an_app_in_the_catalog_is_refused_with_its_slug(string name, string? url)
    {
        var catalog = TestApps.Catalog(
            TestApps.OAuth("acme_pay", "Acme Payments") with { Aliases = ["road_runner"], WebsiteUrl = "https://www.acme-pay.example.com" },
            TestApps.Keys("globex"));

        var e = Assert.Throws<AppAlreadyInCatalogException>(() => Book.Submit(Ask(name, "ana@example.com", url), catalog, "req_1", T0));

        Assert.Equal("acme_pay", e.Slug);
        Assert.Empty(_state.Requests);
    }

    [Fact]
    public void Invalid_submission_is_refused_and_changes_nothing()
    {
        Book.Submit(Ask("Google Sheets", "ana@example.com"), EmptyCatalog, "req_1", T0);

        var e = Assert.Throws<CatalogValidationException>(() => Book.Submit(Ask("Google Sheets", "bo@example.com", "ftp://google.com"), EmptyCatalog, "req_2", T0));

        Assert.Contains("url", e.Errors.Keys);
        Assert.Equal(["req_1"], _state.Requests.Keys);
        Assert.Single(_state.Requests["req_1"].Voters);
    }

    [Fact]
    public void Reasons_are_capped_but_every_vote_counts()
    {
        var voters = AppRequestBook.MaxReasonsKept + 5;
        for (var i = 0; i < voters; i++)
            Book.Submit(Ask("Google Sheets", $"voter{i}@example.com", reason: $"Reason {i}"), EmptyCatalog, $"req_{i}", T0.AddMinutes(i));

        var request = Assert.Single(Book.List(null));

        Assert.Equal(voters, request.Votes);
        Assert.Equal(Enumerable.Range(0, AppRequestBook.MaxReasonsKept).Select(i => $"Reason {i}"), request.Reasons);
    }

    [Fact]
    public void List_puts_most_votes_first_then_oldest()
    {
        Book.Submit(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_c", T0);
        Book.Submit(Ask("Beta", "ana@example.com"), EmptyCatalog, "req_b", T0.AddMinutes(1));
        Book.Submit(Ask("Gamma", "ana@example.com"), EmptyCatalog, "req_a", T0.AddMinutes(2));
        Book.Submit(Ask("Beta", "bo@example.com"), EmptyCatalog, "unused", T0.AddMinutes(3));

        Assert.Equal(["Beta", "Alpha", "Gamma"], Book.List(null).Select(r => r.Name));
    }

    [Fact]
    public void List_by_status_shows_only_that_status()
    {
        Book.Submit(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_1", T0);
        Book.Submit(Ask("Beta", "ana@example.com"), EmptyCatalog, "req_2", T0);
        Book.Triage("req_2", AppRequestStatus.Planned, null, "op", null, EmptyCatalog, T0);

        Assert.Equal(["req_1"], Book.List(AppRequestStatus.Open).Select(r => r.Id));
        Assert.Equal(["req_2"], Book.List(AppRequestStatus.Planned).Select(r => r.Id));
        Assert.Empty(Book.List(AppRequestStatus.Shipped));
    }

    [Fact]
    public void Triage_to_planned_then_shipped_keeps_both_decisions()
    {
        var id = Open("Acme Payments");
        var shippedCatalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        Book.Triage(id, AppRequestStatus.Planned, null, " op-1 ", "Next sprint.", EmptyCatalog, T0.AddDays(1));
        var request = Book.Triage(id, AppRequestStatus.Shipped, "acme_pay", "op-2", null, shippedCatalog, T0.AddDays(2));

        Assert.Equal(AppRequestStatus.Shipped, request.Status);
        Assert.Equal("acme_pay", request.ShippedSlug);
        Assert.Equal(T0.AddDays(2), request.UpdatedAt);
        Assert.Equal(
            [
                new AppRequestTriage(AppRequestStatus.Open, AppRequestStatus.Planned, "op-1", T0.AddDays(1), "Next sprint.", null),
                new AppRequestTriage(AppRequestStatus.Planned, AppRequestStatus.Shipped, "op-2", T0.AddDays(2), null, "acme_pay"),
            ],
            request.History);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("initech")]
    public void Shipping_without_an_app_in_the_catalog_is_refused(string? shippedSlug)
    {
        var id = Open("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        Assert.Throws<InvalidTriageException>(() => Book.Triage(id, AppRequestStatus.Shipped, shippedSlug, "op", null, catalog, T0));

        AssertUntouched(id);
    }

    [Fact]
    public void Shipping_under_an_alias_stores_the_canonical_slug()
    {
        var id = Open("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments") with { Aliases = ["acmepay_legacy"] });

        var request = Book.Triage(id, AppRequestStatus.Shipped, "acmepay_legacy", "op", null, catalog, T0);

        Assert.Equal("acme_pay", request.ShippedSlug);
        Assert.Equal("acme_pay", Assert.Single(request.History).ShippedSlug);
    }

    [Theory]
    [InlineData(AppRequestStatus.Planned)]
    [InlineData(AppRequestStatus.Declined)]
    public void Shipped_slug_for_another_status_is_refused(AppRequestStatus status)
    {
        var id = Open("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        Assert.Throws<InvalidTriageException>(() => Book.Triage(id, status, "acme_pay", "op", null, catalog, T0));

        AssertUntouched(id);
    }

    [Fact]
    public void Triage_of_an_unknown_request_is_not_found()
    {
        Open("Acme Payments");

        var e = Assert.Throws<AppRequestNotFoundException>(() => Book.Triage("req_nope", AppRequestStatus.Planned, null, "op", null, EmptyCatalog, T0));

        Assert.Equal("req_nope", e.RequestId);
    }

    [Fact]
    public void Shipped_request_cannot_be_reopened()
    {
        var id = Open("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));
        Book.Triage(id, AppRequestStatus.Shipped, "acme_pay", "op", null, catalog, T0);

        Assert.Throws<InvalidTriageException>(() => Book.Triage(id, AppRequestStatus.Open, null, "op", null, catalog, T0.AddDays(1)));

        Assert.Equal(AppRequestStatus.Shipped, _state.Requests[id].Status);
        Assert.Single(_state.Requests[id].History);
    }

    [Theory]
    [InlineData("op", 1001, "note")]
    [InlineData("", 10, "operatorId")]
    [InlineData("  ", 10, "operatorId")]
    public void Malformed_note_or_operator_is_refused(string operatorId, int noteLength, string key)
    {
        var id = Open("Acme Payments");

        var e = Assert.Throws<CatalogValidationException>(
            () => Book.Triage(id, AppRequestStatus.Planned, null, operatorId, new string('n', noteLength), EmptyCatalog, T0));

        Assert.Contains(key, e.Errors.Keys);
        AssertUntouched(id);
    }

    [Fact]
    public void Note_of_1000_characters_is_kept()
    {
        var id = Open("Acme Payments");
        var note = new string('n', 1000);

        var request = Book.Triage(id, AppRequestStatus.Declined, null, "op", note, EmptyCatalog, T0);

        Assert.Equal(note, Assert.Single(request.History).Note);
    }

    private static AppRequestSubmission Ask(string name, string requestedBy, string? url = null, string? reason = null)
        => new(name, url, reason, requestedBy);

    private string Open(string name)
    {
        var outcome = Book.Submit(Ask(name, "ana@example.com"), EmptyCatalog, "req_" + _state.Requests.Count, T0);
        Assert.Equal(AppRequestOutcomeKind.Created, outcome.Kind);
        return outcome.Request.Id;
    }

    private void AssertUntouched(string id)
    {
        var record = _state.Requests[id];
        Assert.Equal(AppRequestStatus.Open, record.Status);
        Assert.Null(record.ShippedSlug);
        Assert.Empty(record.History);
        Assert.Equal(T0, record.UpdatedAt);
    }
}

using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Catalog.Requests;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Accounts.Orleans.Catalog.Tests;

/// <summary>The book's decisions, stored in a real (SQLite) requests table.</summary>
public sealed class AppRequestBookTests : IAsyncLifetime
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly CatalogComposition EmptyCatalog = TestApps.Catalog();

    private readonly TempDirectory _directory = new();
    private AccountsDatabase _database = null!;
    private CatalogOptions _options = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private AppRequestTable Table => new(_database);

    private AppRequestBook Book => new(Table, _options);

    public async ValueTask InitializeAsync()
    {
        _database = new AccountsDatabase(new StorageOptions(StorageEngine.Sqlite, $"Data Source={Path.Combine(_directory.Path, "requests.db")};Pooling=False", _directory.Path));
        await new SchemaMigrator(_database, [new MigrationSource("catalog", typeof(CatalogModule).Assembly)], TimeProvider.System, NullLogger<SchemaMigrator>.Instance)
            .MigrateAsync(TestContext.Current.CancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        _directory.Dispose();
    }

    [Fact]
    public async Task Submit_opens_a_request_with_one_vote()
    {
        var outcome = await Book.SubmitAsync(Ask("Google Sheets", "ana@example.com", "https://www.google.com/sheets", "Budgets."), EmptyCatalog, "req_1", T0, Ct);

        Assert.Equal(AppRequestOutcomeKind.Created, outcome.Kind);
        Assert.Equal("req_1", outcome.Request.Id);
        Assert.Equal("Google Sheets", outcome.Request.Name);
        Assert.Equal("https://www.google.com/sheets", outcome.Request.Url);
        Assert.Equal(AppRequestStatus.Open, outcome.Request.Status);
        Assert.Equal(1, outcome.Request.Votes);
        Assert.Equal(["Budgets."], outcome.Request.Reasons);
        Assert.Equal(T0, outcome.Request.CreatedAt);
        Assert.Equal(["req_1"], (await StoredAsync()).Select(r => r.Id));
    }

    [Theory]
    [InlineData("google_sheets", null)]
    [InlineData("GOOGLE-SHEETS", null)]
    [InlineData("Spreadsheets by Google", "https://google.com/")]
    public async Task Submission_for_the_same_app_by_another_requester_adds_a_vote(string name, string? url)
    {
        await Book.SubmitAsync(Ask("Google Sheets", "ana@example.com", "https://www.google.com/sheets"), EmptyCatalog, "req_1", T0, Ct);

        var outcome = await Book.SubmitAsync(Ask(name, "bo@example.com", url), EmptyCatalog, "req_2", T0.AddHours(1), Ct);

        Assert.Equal(AppRequestOutcomeKind.Voted, outcome.Kind);
        Assert.Equal("req_1", outcome.Request.Id);
        Assert.Equal(2, outcome.Request.Votes);
        Assert.Equal("Google Sheets", outcome.Request.Name);
        Assert.Equal(T0.AddHours(1), outcome.Request.UpdatedAt);
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task Vote_with_a_url_fills_in_a_request_that_had_none()
    {
        await Book.SubmitAsync(Ask("Google Sheets", "ana@example.com"), EmptyCatalog, "req_1", T0, Ct);

        var outcome = await Book.SubmitAsync(Ask("Google Sheets", "bo@example.com", "https://sheets.google.com"), EmptyCatalog, "req_2", T0, Ct);

        Assert.Equal("https://sheets.google.com", outcome.Request.Url);
    }

    [Fact]
    public async Task Same_requester_again_is_already_voted_and_changes_nothing()
    {
        await Book.SubmitAsync(Ask("Google Sheets", "ana@example.com", reason: "Budgets."), EmptyCatalog, "req_1", T0, Ct);

        var outcome = await Book.SubmitAsync(Ask("google sheets", "  Ana@Example.COM ", reason: "Still budgets."), EmptyCatalog, "req_2", T0.AddHours(1), Ct);

        Assert.Equal(AppRequestOutcomeKind.AlreadyVoted, outcome.Kind);
        Assert.Equal(1, outcome.Request.Votes);
        Assert.Equal(["Budgets."], outcome.Request.Reasons);
        Assert.Equal(T0, (await Table.GetAsync("req_1", Ct))!.UpdatedAt);
    }

    [Theory]
    [InlineData("Acme Payments", null)]                             // the app's name
    [InlineData("Acme Pay", null)]                                  // its slug, acme_pay
    [InlineData("Road Runner", null)]                               // its alias, road_runner
    [InlineData("Something Else", "https://acme-pay.example.com/pricing")] // its website's domain
    public async Task Submission_for_an_app_in_the_catalog_is_refused_with_its_slug(string name, string? url)
    {
        var catalog = TestApps.Catalog(
            TestApps.OAuth("acme_pay", "Acme Payments") with { Aliases = ["road_runner"], WebsiteUrl = "https://www.acme-pay.example.com" },
            TestApps.Keys("globex"));

        var e = await Assert.ThrowsAsync<AppAlreadyInCatalogException>(() => Book.SubmitAsync(Ask(name, "ana@example.com", url), catalog, "req_1", T0, Ct));

        Assert.Equal("acme_pay", e.Slug);
        Assert.Empty(await StoredAsync());
    }

    [Fact]
    public async Task Invalid_submission_is_refused_and_changes_nothing()
    {
        await Book.SubmitAsync(Ask("Google Sheets", "ana@example.com"), EmptyCatalog, "req_1", T0, Ct);

        var e = await Assert.ThrowsAsync<CatalogValidationException>(() => Book.SubmitAsync(Ask("Google Sheets", "bo@example.com", "ftp://google.com"), EmptyCatalog, "req_2", T0, Ct));

        Assert.Contains("url", e.Errors.Keys);
        Assert.Equal(["req_1"], (await StoredAsync()).Select(r => r.Id));
        Assert.Equal(1, (await Table.GetAsync("req_1", Ct))!.Votes);
    }

    [Fact]
    public async Task Reasons_are_capped_but_every_vote_counts()
    {
        var voters = AppRequestBook.MaxReasonsKept + 5;
        for (var i = 0; i < voters; i++)
            await Book.SubmitAsync(Ask("Google Sheets", $"voter{i}@example.com", reason: $"Reason {i}"), EmptyCatalog, $"req_{i}", T0.AddMinutes(i), Ct);

        var request = Assert.Single(await StoredAsync());

        Assert.Equal(voters, request.Votes);
        Assert.Equal(Enumerable.Range(0, AppRequestBook.MaxReasonsKept).Select(i => $"Reason {i}"), request.Reasons);
    }

    [Fact]
    public async Task List_puts_most_votes_first_then_oldest()
    {
        await Book.SubmitAsync(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_c", T0, Ct);
        await Book.SubmitAsync(Ask("Beta", "ana@example.com"), EmptyCatalog, "req_b", T0.AddMinutes(1), Ct);
        await Book.SubmitAsync(Ask("Gamma", "ana@example.com"), EmptyCatalog, "req_a", T0.AddMinutes(2), Ct);
        await Book.SubmitAsync(Ask("Beta", "bo@example.com"), EmptyCatalog, "unused", T0.AddMinutes(3), Ct);

        Assert.Equal(["Beta", "Alpha", "Gamma"], (await StoredAsync()).Select(r => r.Name));
    }

    [Fact]
    public async Task List_by_status_shows_only_that_status()
    {
        await Book.SubmitAsync(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_1", T0, Ct);
        await Book.SubmitAsync(Ask("Beta", "ana@example.com"), EmptyCatalog, "req_2", T0, Ct);
        await Book.TriageAsync("req_2", AppRequestStatus.Planned, null, "op", null, EmptyCatalog, T0, Ct);

        Assert.Equal(["req_1"], (await StoredAsync(AppRequestStatus.Open)).Select(r => r.Id));
        Assert.Equal(["req_2"], (await StoredAsync(AppRequestStatus.Planned)).Select(r => r.Id));
        Assert.Empty(await StoredAsync(AppRequestStatus.Shipped));
    }

    [Fact]
    public async Task Triage_to_planned_then_shipped_keeps_both_decisions()
    {
        var id = await OpenAsync("Acme Payments");
        var shippedCatalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        await Book.TriageAsync(id, AppRequestStatus.Planned, null, " op-1 ", "Next sprint.", EmptyCatalog, T0.AddDays(1), Ct);
        var request = await Book.TriageAsync(id, AppRequestStatus.Shipped, "acme_pay", "op-2", null, shippedCatalog, T0.AddDays(2), Ct);

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
    public async Task Shipping_without_an_app_in_the_catalog_is_refused(string? shippedSlug)
    {
        var id = await OpenAsync("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        await Assert.ThrowsAsync<InvalidTriageException>(() => Book.TriageAsync(id, AppRequestStatus.Shipped, shippedSlug, "op", null, catalog, T0, Ct));

        await AssertUntouchedAsync(id);
    }

    [Fact]
    public async Task Shipping_under_an_alias_stores_the_canonical_slug()
    {
        var id = await OpenAsync("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments") with { Aliases = ["acmepay_legacy"] });

        var request = await Book.TriageAsync(id, AppRequestStatus.Shipped, "acmepay_legacy", "op", null, catalog, T0, Ct);

        Assert.Equal("acme_pay", request.ShippedSlug);
        Assert.Equal("acme_pay", Assert.Single(request.History).ShippedSlug);
    }

    [Theory]
    [InlineData(AppRequestStatus.Planned)]
    [InlineData(AppRequestStatus.Declined)]
    public async Task Shipped_slug_for_another_status_is_refused(AppRequestStatus status)
    {
        var id = await OpenAsync("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));

        await Assert.ThrowsAsync<InvalidTriageException>(() => Book.TriageAsync(id, status, "acme_pay", "op", null, catalog, T0, Ct));

        await AssertUntouchedAsync(id);
    }

    [Fact]
    public async Task Triage_of_an_unknown_request_is_not_found()
    {
        await OpenAsync("Acme Payments");

        var e = await Assert.ThrowsAsync<AppRequestNotFoundException>(() => Book.TriageAsync("req_nope", AppRequestStatus.Planned, null, "op", null, EmptyCatalog, T0, Ct));

        Assert.Equal("req_nope", e.RequestId);
    }

    [Fact]
    public async Task Shipped_request_cannot_be_reopened()
    {
        var id = await OpenAsync("Acme Payments");
        var catalog = TestApps.Catalog(TestApps.OAuth("acme_pay", "Acme Payments"));
        await Book.TriageAsync(id, AppRequestStatus.Shipped, "acme_pay", "op", null, catalog, T0, Ct);

        await Assert.ThrowsAsync<InvalidTriageException>(() => Book.TriageAsync(id, AppRequestStatus.Open, null, "op", null, catalog, T0.AddDays(1), Ct));

        var stored = (await Table.GetAsync(id, Ct))!;
        Assert.Equal(AppRequestStatus.Shipped, stored.Status);
        Assert.Single(stored.History);
    }

    [Theory]
    [InlineData("op", 1001, "note")]
    [InlineData("", 10, "operatorId")]
    [InlineData("  ", 10, "operatorId")]
    public async Task Malformed_note_or_operator_is_refused(string operatorId, int noteLength, string key)
    {
        var id = await OpenAsync("Acme Payments");

        var e = await Assert.ThrowsAsync<CatalogValidationException>(
            () => Book.TriageAsync(id, AppRequestStatus.Planned, null, operatorId, new string('n', noteLength), EmptyCatalog, T0, Ct));

        Assert.Contains(key, e.Errors.Keys);
        await AssertUntouchedAsync(id);
    }

    [Fact]
    public async Task Note_of_1000_characters_is_kept()
    {
        var id = await OpenAsync("Acme Payments");
        var note = new string('n', 1000);

        var request = await Book.TriageAsync(id, AppRequestStatus.Declined, null, "op", note, EmptyCatalog, T0, Ct);

        Assert.Equal(note, Assert.Single(request.History).Note);
    }

    [Fact]
    public async Task One_requester_may_ask_for_only_so_many_apps_and_asking_again_for_one_still_answers()
    {
        _options = new CatalogOptions { MaxAppRequestsPerRequester = 2 };
        await Book.SubmitAsync(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_1", T0, Ct);
        await Book.SubmitAsync(Ask("Beta", "bo@example.com"), EmptyCatalog, "req_2", T0, Ct);
        await Book.SubmitAsync(Ask("Beta", "ana@example.com"), EmptyCatalog, "unused", T0, Ct);

        var opening = await Assert.ThrowsAsync<AppRequestLimitReachedException>(() => Book.SubmitAsync(Ask("Gamma", "ANA@example.com"), EmptyCatalog, "req_3", T0, Ct));
        var voting = await Assert.ThrowsAsync<AppRequestLimitReachedException>(() => Book.SubmitAsync(Ask("Delta", "ana@example.com"), EmptyCatalog, "req_4", T0, Ct));
        var again = await Book.SubmitAsync(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_5", T0, Ct);

        Assert.Equal((AppRequestLimit.VotesPerRequester, 2), (opening.Limit, opening.Max));
        Assert.Equal(AppRequestLimit.VotesPerRequester, voting.Limit);
        Assert.Equal(AppRequestOutcomeKind.AlreadyVoted, again.Kind);
        Assert.Equal(["req_2", "req_1"], (await StoredAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task Past_the_catalogs_cap_no_request_opens_but_votes_still_count()
    {
        _options = new CatalogOptions { MaxAppRequests = 1 };
        await Book.SubmitAsync(Ask("Alpha", "ana@example.com"), EmptyCatalog, "req_1", T0, Ct);

        var refused = await Assert.ThrowsAsync<AppRequestLimitReachedException>(() => Book.SubmitAsync(Ask("Beta", "bo@example.com"), EmptyCatalog, "req_2", T0, Ct));
        var voted = await Book.SubmitAsync(Ask("Alpha", "bo@example.com"), EmptyCatalog, "req_3", T0, Ct);

        Assert.Equal(AppRequestLimit.Requests, refused.Limit);
        Assert.Equal((AppRequestOutcomeKind.Voted, 2), (voted.Kind, voted.Request.Votes));
        Assert.Single(await StoredAsync());
    }

    [Fact]
    public async Task The_list_pages_by_votes_then_age_and_every_request_appears_once()
    {
        for (var i = 0; i < 7; i++)
        {
            await Book.SubmitAsync(Ask($"App {(char)('A' + i)}", "ana@example.com"), EmptyCatalog, $"req_{i}", T0.AddMinutes(i), Ct);
            for (var v = 0; v < i % 3; v++) await Book.SubmitAsync(Ask($"App {(char)('A' + i)}", $"v{v}@example.com"), EmptyCatalog, "unused", T0.AddMinutes(i), Ct);
        }
        var seen = new List<AppRequest>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Table.ListAsync(new AppRequestQuery { Limit = 3, Cursor = cursor }, Ct);
            seen.AddRange(page.Items);
            cursor = page.Next;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(["req_2", "req_5", "req_1", "req_4", "req_0", "req_3", "req_6"], seen.Select(r => r.Id));
        Assert.Equal(["req_4"], (await Table.ListAsync(new AppRequestQuery { Text = "app-e" }, Ct)).Items.Select(r => r.Id));
    }

    [Theory]
    [InlineData(0, null)]
    [InlineData(AppRequestQuery.MaxLimit + 1, null)]
    [InlineData(10, "not-a-cursor")]
    [InlineData(10, "YzE6YWNjXzE")]
    public async Task A_list_query_out_of_range_or_with_a_foreign_cursor_is_refused(int limit, string? cursor)
    {
        var e = await Assert.ThrowsAsync<CatalogValidationException>(() => Table.ListAsync(new AppRequestQuery { Limit = limit, Cursor = cursor }, Ct));

        Assert.Single(e.Errors);
    }

    [Fact]
    public async Task Requests_kept_in_the_old_state_move_into_the_table_once_with_their_votes()
    {
        var legacy = new AppRequestsState();
        legacy.Requests["req_old"] = new AppRequestRecord
        {
            Id = "req_old", Name = "Widgetly", Url = "https://widgetly.example", Status = AppRequestStatus.Planned,
            Voters = ["ana@example.com", "bo@example.com"], Reasons = ["invoices"], CreatedAt = T0, UpdatedAt = T0,
            History = [new AppRequestTriage(AppRequestStatus.Open, AppRequestStatus.Planned, "op", T0, null, null)],
        };

        Assert.Equal(1, await Book.ImportAsync(legacy, Ct));
        Assert.Equal(0, await Book.ImportAsync(legacy, Ct));
        var again = await Book.SubmitAsync(Ask("widgetly", "Bo@example.com"), EmptyCatalog, "req_new", T0, Ct);

        var stored = Assert.Single(await StoredAsync());
        Assert.Equal(("req_old", "Widgetly", "https://widgetly.example", AppRequestStatus.Planned, 2, T0), (stored.Id, stored.Name, stored.Url, stored.Status, stored.Votes, stored.CreatedAt));
        Assert.Equal(["invoices"], stored.Reasons);
        Assert.Equal(legacy.Requests["req_old"].History, stored.History);
        Assert.Equal(AppRequestOutcomeKind.AlreadyVoted, again.Kind);
    }

    private static AppRequestSubmission Ask(string name, string requestedBy, string? url = null, string? reason = null)
        => new(name, url, reason, requestedBy);

    private async Task<string> OpenAsync(string name)
    {
        var outcome = await Book.SubmitAsync(Ask(name, "ana@example.com"), EmptyCatalog, "req_" + (await StoredAsync()).Count, T0, Ct);
        Assert.Equal(AppRequestOutcomeKind.Created, outcome.Kind);
        return outcome.Request.Id;
    }

    private async Task<IReadOnlyList<AppRequest>> StoredAsync(AppRequestStatus? status = null)
        => (await Table.ListAsync(new AppRequestQuery { Status = status, Limit = AppRequestQuery.MaxLimit }, Ct)).Items;

    private async Task AssertUntouchedAsync(string id)
    {
        var record = (await Table.GetAsync(id, Ct))!;
        Assert.Equal(AppRequestStatus.Open, record.Status);
        Assert.Null(record.ShippedSlug);
        Assert.Empty(record.History);
        Assert.Equal(T0, record.UpdatedAt);
    }
}

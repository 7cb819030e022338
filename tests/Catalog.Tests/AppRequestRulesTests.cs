using Accounts.Orleans.Catalog.Requests;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class AppRequestRulesTests
{
    private static readonly AppRequestSubmission Valid = new("Google Sheets", "https://www.google.com/sheets", "We keep our budget there.", "ana@example.com");

    [Fact]
    public void Valid_submission_has_no_errors() => Assert.Empty(AppRequestRules.Validate(Valid));

    [Fact]
    public void Submission_with_only_a_name_and_requester_has_no_errors()
        => Assert.Empty(AppRequestRules.Validate(Valid with { Url = null, Reason = null }));

    public static TheoryData<string, AppRequestSubmission> Invalid => new()
    {
        { "name", Valid with { Name = "" } },
        { "name", Valid with { Name = "   " } },
        { "name", Valid with { Name = null! } },
        { "name", Valid with { Name = new string('n', 101) } },
        { "name", Valid with { Name = "Google\u0007Sheets" } },
        { "name", Valid with { Name = "Google\nSheets" } },
        { "name", Valid with { Name = "Google\u200BSheets" } },
        { "name", Valid with { Name = "Google\u2028Sheets" } },
        { "reason", Valid with { Reason = "Budget\u2029forecasts" } },
        { "requestedBy", Valid with { RequestedBy = "ana\u2028@example.com" } },
        { "name", Valid with { Name = "!!! --- ???" } },
        { "url", Valid with { Url = "ftp://x.com" } },
        { "url", Valid with { Url = "not a url" } },
        { "url", Valid with { Url = "https://example.com/" + new string('p', 2029) } },
        { "reason", Valid with { Reason = new string('r', 1001) } },
        { "reason", Valid with { Reason = "bell\u0007" } },
        { "requestedBy", Valid with { RequestedBy = "" } },
        { "requestedBy", Valid with { RequestedBy = " " } },
        { "requestedBy", Valid with { RequestedBy = null! } },
        { "requestedBy", Valid with { RequestedBy = new string('a', 201) } },
        { "requestedBy", Valid with { RequestedBy = "ana\r\n@example.com" } },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_submission_has_an_error_under_the_field(string key, AppRequestSubmission submission)
    {
        var errors = AppRequestRules.Validate(submission);

        Assert.Equal([key], errors.Keys);
        Assert.NotEmpty(errors[key]);
    }

    [Fact]
    public void Values_at_their_maximum_length_are_accepted()
    {
        var submission = new AppRequestSubmission(
            new string('n', 100), "https://example.com/" + new string('p', 2028), new string('r', 1000), new string('a', 200));

        Assert.Equal(2048, submission.Url!.Length);
        Assert.Empty(AppRequestRules.Validate(submission));
    }

    [Fact]
    public void Reason_may_span_lines() => Assert.Empty(AppRequestRules.Validate(Valid with { Reason = "Budget.\r\n\tAnd forecasts." }));

    [Fact]
    public void Spacing_case_and_punctuation_do_not_change_a_normalized_name()
    {
        Assert.Equal("googlesheets", AppRequestRules.NormalizeName("Google Sheets"));
        Assert.Equal("googlesheets", AppRequestRules.NormalizeName("google_sheets"));
        Assert.Equal("googlesheets", AppRequestRules.NormalizeName("GOOGLE-SHEETS"));
        Assert.NotEqual(AppRequestRules.NormalizeName("Google Sheets"), AppRequestRules.NormalizeName("Google Slides"));
    }

    [Theory]
    [InlineData("https://www.Example.com/x", "example.com")]
    [InlineData("example.com", "example.com")]
    [InlineData("http://docs.example.com:8080/a?b#c", "docs.example.com")]
    [InlineData("  https://example.com.  ", "example.com")]
    [InlineData("http://localhost", null)]
    [InlineData("https://127.0.0.1/", null)]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("ftp://example.com", null)]
    [InlineData("https://user@example.com", null)]
    [InlineData("", null)]
    [InlineData(null, null)]
    public void Web_domain_is_the_lowercased_host_without_www(string? url, string? expected)
        => Assert.Equal(expected, AppRequestRules.WebDomain(url));

    [Fact]
    public void Requester_identity_ignores_case_and_surrounding_space()
        => Assert.Equal(AppRequestRules.NormalizeRequester("ana@example.com"), AppRequestRules.NormalizeRequester("  Ana@Example.COM "));

    public static TheoryData<AppRequestStatus, AppRequestStatus, bool> Moves()
    {
        (AppRequestStatus From, AppRequestStatus To)[] allowed =
        [
            (AppRequestStatus.Open, AppRequestStatus.Planned),
            (AppRequestStatus.Open, AppRequestStatus.Shipped),
            (AppRequestStatus.Open, AppRequestStatus.Declined),
            (AppRequestStatus.Planned, AppRequestStatus.Open),
            (AppRequestStatus.Planned, AppRequestStatus.Shipped),
            (AppRequestStatus.Planned, AppRequestStatus.Declined),
            (AppRequestStatus.Declined, AppRequestStatus.Open),
        ];
        var data = new TheoryData<AppRequestStatus, AppRequestStatus, bool>();
        foreach (var from in Enum.GetValues<AppRequestStatus>())
        {
            foreach (var to in Enum.GetValues<AppRequestStatus>()) data.Add(from, to, allowed.Contains((from, to)));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Moves))]
    public void Request_moves_only_along_the_triage_table(AppRequestStatus from, AppRequestStatus to, bool allowed)
        => Assert.Equal(allowed, AppRequestRules.CanMove(from, to));
}

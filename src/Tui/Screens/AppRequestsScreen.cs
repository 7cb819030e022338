using System.Globalization;
using Accounts.Orleans.Tui.Dialogs;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>Which requests the status filter shows.</summary>
public enum RequestFilter { Any, Open, Planned, Shipped, Declined }

/// <summary>Requests for apps the catalog lacks, most votes first: submit, vote, and triage them.</summary>
public sealed class AppRequestsScreen : SearchableListScreen<AppRequest>
{
    private readonly DropDownList<RequestFilter> _status = new() { Width = 12 };

    public AppRequestsScreen(ConsoleSession session) : base(session, "App requests", "Find:", 24, 55)
    {
        AddFilter("Status:", _status);
        _status.Value = RequestFilter.Any;
        _status.ValueChanged += async (_, _) => await LoadAsync();
        Actions =
        [
            new(Key.F6, "Submit", "_Submit a request…", SubmitAsync),
            new(Key.F7, "Vote", "_Vote for the request", VoteAsync),
            new(Key.F8, "Triage", "_Triage…", TriageAsync),
        ];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    public RequestFilter StatusFilter
    {
        get => _status.Value ?? RequestFilter.Any;
        set => _status.Value = value;
    }

    protected override string ItemNoun => "request";

    protected override string EmptyHint => "No request matches. F6 asks for a new app.";

    private IAppCatalogGrain Catalog => Session.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

    protected override async Task<(IReadOnlyList<AppRequest> Rows, string? Next)> QueryAsync(string? text, string? cursor)
    {
        AppRequestStatus? status = StatusFilter switch
        {
            RequestFilter.Open => AppRequestStatus.Open,
            RequestFilter.Planned => AppRequestStatus.Planned,
            RequestFilter.Shipped => AppRequestStatus.Shipped,
            RequestFilter.Declined => AppRequestStatus.Declined,
            _ => null,
        };
        var page = await Catalog.ListRequestsAsync(new AppRequestQuery { Status = status, Text = text, Cursor = cursor });
        return (page.Items, page.Next);
    }

    protected override Dictionary<string, Func<AppRequest, object>> Columns() => new()
    {
        ["Votes"] = r => r.Votes.ToString(CultureInfo.InvariantCulture),
        ["App"] = r => r.Name,
        ["Status"] = r => r.Status.ToString(),
        ["Web address"] = r => r.Url ?? "",
    };

    protected override Task<string> DescribeAsync(AppRequest request) => Task.FromResult(Describe(request));

    internal static string Describe(AppRequest r)
    {
        var lines = new List<string>
        {
            r.Name,
            $"Id: {r.Id}",
            $"Status: {r.Status}{(r.ShippedSlug is { } slug ? $" as '{slug}'" : "")}",
            $"Votes: {r.Votes}",
            $"Asked first: {r.CreatedAt.ToLocalTime():yyyy-MM-dd}",
        };
        if (r.Url is { } url) lines.Add($"Web: {url}");
        if (r.Reasons.Count > 0)
        {
            lines.Add("Why people want it:");
            lines.AddRange(r.Reasons.Take(5).Select(reason => $"  “{reason}”"));
        }
        if (r.History.Count > 0)
        {
            lines.Add("Decisions:");
            lines.AddRange(r.History.Select(h => $"  {h.At.ToLocalTime():yyyy-MM-dd} {h.From} → {h.To} by {h.OperatorId}{(h.Note is { } note ? ": " + note : "")}"));
        }
        return string.Join('\n', lines);
    }

    public async Task SubmitAsync()
    {
        using var dialog = new SubmitRequestDialog(Session);
        await Session.Modals.RunAsync(dialog);
        if (dialog.Outcome is not { } outcome) return;
        await LoadAsync();
        SelectWhere(r => r.Id == outcome.Request.Id);
        await Session.Modals.TellAsync("App request", Explain(outcome));
    }

    public async Task VoteAsync()
    {
        if (Selected is not { } request) return;
        try
        {
            var outcome = await Catalog.SubmitRequestAsync(new AppRequestSubmission(request.Name, request.Url, null, Session.Operator));
            await ReloadAsync();
            await Session.Modals.TellAsync("Vote", Explain(outcome));
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Vote failed", ErrorText.Describe(e));
        }
    }

    public async Task TriageAsync()
    {
        if (Selected is not { } request) return;
        using var dialog = new TriageDialog(Session, request);
        await Session.Modals.RunAsync(dialog);
        if (dialog.Succeeded) await ReloadAsync();
    }

    internal static string Explain(AppRequestOutcome outcome) => outcome.Kind switch
    {
        AppRequestOutcomeKind.Created => $"Opened a request for {outcome.Request.Name}.",
        AppRequestOutcomeKind.Voted => $"{outcome.Request.Name} was already requested; your vote makes {outcome.Request.Votes}.",
        _ => $"You already asked for {outcome.Request.Name}; it has {outcome.Request.Votes} vote(s).",
    };
}

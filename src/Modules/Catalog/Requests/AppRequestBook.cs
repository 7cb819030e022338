using Accounts.Orleans.Catalog.Apps;

namespace Accounts.Orleans.Catalog.Requests;

/// <summary>Decides what a submission or a triage does to the requests; the grain persists the result.</summary>
public sealed class AppRequestBook(AppRequestsState state)
{
    /// <summary>Reasons kept per request; later ones still count as votes.</summary>
    public const int MaxReasonsKept = 20;

    /// <exception cref="CatalogValidationException">The submission is malformed.</exception>
    /// <exception cref="AppAlreadyInCatalogException">The catalog already has the app.</exception>
    public AppRequestOutcome Submit(AppRequestSubmission submission, CatalogComposition catalog, string newId, DateTimeOffset now)
    {
        var errors = AppRequestRules.Validate(submission);
        if (errors.Count > 0) throw new CatalogValidationException(errors);

        var name = submission.Name.Trim();
        var url = string.IsNullOrWhiteSpace(submission.Url) ? null : submission.Url.Trim();
        var reason = string.IsNullOrWhiteSpace(submission.Reason) ? null : submission.Reason.Trim();
        var voter = AppRequestRules.NormalizeRequester(submission.RequestedBy);

        if (FindInCatalog(catalog, name, url) is { } existing) throw new AppAlreadyInCatalogException(existing.Slug);

        if (FindRequest(name, url) is { } request)
        {
            if (request.Voters.Contains(voter)) return new AppRequestOutcome(AppRequestOutcomeKind.AlreadyVoted, request.ToContract());
            request.Voters.Add(voter);
            if (reason is not null && request.Reasons.Count < MaxReasonsKept) request.Reasons.Add(reason);
            request.Url ??= url;
            request.UpdatedAt = now;
            return new AppRequestOutcome(AppRequestOutcomeKind.Voted, request.ToContract());
        }

        var created = new AppRequestRecord
        {
            Id = newId,
            Name = name,
            Url = url,
            Status = AppRequestStatus.Open,
            Voters = [voter],
            Reasons = reason is null ? [] : [reason],
            CreatedAt = now,
            UpdatedAt = now,
        };
        state.Requests[created.Id] = created;
        return new AppRequestOutcome(AppRequestOutcomeKind.Created, created.ToContract());
    }

    /// <exception cref="AppRequestNotFoundException">No request has this id.</exception>
    /// <exception cref="InvalidTriageException">The move is not allowed or the shipped app is unknown.</exception>
    /// <exception cref="CatalogValidationException">The operator id or note is malformed.</exception>
    public AppRequest Triage(string requestId, AppRequestStatus to, string? shippedSlug, string operatorId, string? note,
        CatalogComposition catalog, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(operatorId) || operatorId.Length > AppRequestRules.MaxRequesterLength)
            errors["operatorId"] = [$"is required, at most {AppRequestRules.MaxRequesterLength} characters"];
        if (note is { Length: > AppRequestRules.MaxNoteLength })
            errors["note"] = [$"must be at most {AppRequestRules.MaxNoteLength} characters"];
        if (errors.Count > 0) throw new CatalogValidationException(errors);

        if (!state.Requests.TryGetValue(requestId ?? "", out var request)) throw new AppRequestNotFoundException(requestId ?? "");
        if (!AppRequestRules.CanMove(request.Status, to))
            throw new InvalidTriageException($"A request that is {request.Status} cannot become {to}.");

        string? shipped = null;
        if (to == AppRequestStatus.Shipped)
        {
            shipped = (shippedSlug is null ? null : catalog.Find(shippedSlug))?.Slug
                ?? throw new InvalidTriageException($"Shipping a request needs the slug of an app in the catalog; '{shippedSlug}' is not one.");
        }
        else if (shippedSlug is not null)
        {
            throw new InvalidTriageException("Only a shipped request names a catalog app.");
        }

        request.History.Add(new AppRequestTriage(request.Status, to, operatorId.Trim(), now, note?.Trim(), shipped));
        request.Status = to;
        request.ShippedSlug = shipped;
        request.UpdatedAt = now;
        return request.ToContract();
    }

    /// <summary>Most votes first, then oldest first so early requests win ties.</summary>
    public IReadOnlyList<AppRequest> List(AppRequestStatus? status) => state.Requests.Values
        .Where(r => status is null || r.Status == status)
        .OrderByDescending(r => r.Voters.Count)
        .ThenBy(r => r.CreatedAt)
        .ThenBy(r => r.Id, StringComparer.Ordinal)
        .Select(r => r.ToContract())
        .ToArray();

    private AppRequestRecord? FindRequest(string name, string? url)
    {
        var normalized = AppRequestRules.NormalizeName(name);
        var domain = AppRequestRules.WebDomain(url);
        return state.Requests.Values
            .OrderBy(r => r.CreatedAt)
            .FirstOrDefault(r => AppRequestRules.NormalizeName(r.Name) == normalized
                                 || (domain is not null && AppRequestRules.WebDomain(r.Url) == domain));
    }

    private static AppDefinition? FindInCatalog(CatalogComposition catalog, string name, string? url)
    {
        var normalized = AppRequestRules.NormalizeName(name);
        var domain = AppRequestRules.WebDomain(url);
        return catalog.Apps.FirstOrDefault(app =>
            AppRequestRules.NormalizeName(app.Name) == normalized
            || AppRequestRules.NormalizeName(app.Slug) == normalized
            || app.Aliases.Any(a => AppRequestRules.NormalizeName(a) == normalized)
            || (domain is not null && AppRequestRules.WebDomain(app.WebsiteUrl) == domain));
    }
}

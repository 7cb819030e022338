using Accounts.Orleans.Catalog.Apps;

namespace Accounts.Orleans.Catalog.Requests;

/// <summary>Decides what a submission or a triage does to the requests, and stores it in their table.</summary>
public sealed class AppRequestBook(AppRequestTable table, CatalogOptions options)
{
    /// <summary>Reasons kept per request; later ones still count as votes.</summary>
    public const int MaxReasonsKept = 20;

    /// <exception cref="CatalogValidationException">The submission is malformed.</exception>
    /// <exception cref="AppAlreadyInCatalogException">The catalog already has the app.</exception>
    /// <exception cref="AppRequestLimitReachedException">The requester has asked for as many apps as one may, or the catalog holds as many requests as it keeps.</exception>
    public async Task<AppRequestOutcome> SubmitAsync(AppRequestSubmission submission, CatalogComposition catalog, string newId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = AppRequestRules.Validate(submission);
        if (errors.Count > 0) throw new CatalogValidationException(errors);

        var name = submission.Name.Trim();
        var url = string.IsNullOrWhiteSpace(submission.Url) ? null : submission.Url.Trim();
        var reason = string.IsNullOrWhiteSpace(submission.Reason) ? null : submission.Reason.Trim();
        var voter = AppRequestTable.VoterKey(AppRequestRules.NormalizeRequester(submission.RequestedBy));
        var nameKey = AppRequestRules.NormalizeName(name);
        var domain = AppRequestRules.WebDomain(url);

        if (FindInCatalog(catalog, nameKey, domain) is { } existing) throw new AppAlreadyInCatalogException(existing.Slug);

        var request = await table.FindSameAppAsync(nameKey, domain, cancellationToken);
        // Asking again for what one asked before is answered from a read: it writes nothing.
        if (request is not null && await table.HasVotedAsync(request.Id, voter, cancellationToken))
            return new AppRequestOutcome(AppRequestOutcomeKind.AlreadyVoted, request);
        if (await table.CountVotesByAsync(voter, cancellationToken) >= options.MaxAppRequestsPerRequester)
            throw new AppRequestLimitReachedException(AppRequestLimit.VotesPerRequester, options.MaxAppRequestsPerRequester);

        if (request is not null)
        {
            var voted = request with
            {
                Votes = request.Votes + 1,
                Url = request.Url ?? url,
                Reasons = reason is not null && request.Reasons.Count < MaxReasonsKept ? [.. request.Reasons, reason] : request.Reasons,
                UpdatedAt = now,
            };
            return await table.VoteAsync(voted, domain, voter, cancellationToken)
                ? new AppRequestOutcome(AppRequestOutcomeKind.Voted, voted)
                : new AppRequestOutcome(AppRequestOutcomeKind.AlreadyVoted, request);
        }

        if (await table.CountAsync(cancellationToken) >= options.MaxAppRequests)
            throw new AppRequestLimitReachedException(AppRequestLimit.Requests, options.MaxAppRequests);
        var created = new AppRequest
        {
            Id = newId,
            Name = name,
            Url = url,
            Status = AppRequestStatus.Open,
            Votes = 1,
            Reasons = reason is null ? [] : [reason],
            CreatedAt = now,
            UpdatedAt = now,
        };
        if (!await table.CreateAsync(created, nameKey, domain, [voter], cancellationToken))
            throw new InvalidOperationException($"The new request id '{newId}' is taken.");
        return new AppRequestOutcome(AppRequestOutcomeKind.Created, created);
    }

    /// <exception cref="AppRequestNotFoundException">No request has this id.</exception>
    /// <exception cref="InvalidTriageException">The move is not allowed or the shipped app is unknown.</exception>
    /// <exception cref="CatalogValidationException">The operator id or note is malformed.</exception>
    public async Task<AppRequest> TriageAsync(string requestId, AppRequestStatus to, string? shippedSlug, string operatorId, string? note,
        CatalogComposition catalog, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(operatorId) || operatorId.Length > AppRequestRules.MaxRequesterLength)
            errors["operatorId"] = [$"is required, at most {AppRequestRules.MaxRequesterLength} characters"];
        if (note is { Length: > AppRequestRules.MaxNoteLength })
            errors["note"] = [$"must be at most {AppRequestRules.MaxNoteLength} characters"];
        if (errors.Count > 0) throw new CatalogValidationException(errors);

        var request = requestId is { Length: > 0 and <= 64 } ? await table.GetAsync(requestId, cancellationToken) : null;
        if (request is null) throw new AppRequestNotFoundException(requestId ?? "");
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

        var triaged = request with
        {
            Status = to,
            ShippedSlug = shipped,
            History = [.. request.History, new AppRequestTriage(request.Status, to, operatorId.Trim(), now, note?.Trim(), shipped)],
            UpdatedAt = now,
        };
        await table.TriageAsync(triaged, cancellationToken);
        return triaged;
    }

    /// <summary>Moves requests kept in the catalog grain's state (before they had a table) into the table, once.</summary>
    public async Task<int> ImportAsync(AppRequestsState legacy, CancellationToken cancellationToken)
    {
        var imported = 0;
        foreach (var record in legacy.Requests.Values)
        {
            var voters = record.Voters.Select(AppRequestTable.VoterKey).Distinct(StringComparer.Ordinal).ToList();
            var request = record.ToContract() with { Votes = voters.Count };
            if (await table.CreateAsync(request, AppRequestRules.NormalizeName(record.Name), AppRequestRules.WebDomain(record.Url), voters, cancellationToken))
                imported++;
        }
        return imported;
    }

    private static AppDefinition? FindInCatalog(CatalogComposition catalog, string nameKey, string? domain)
        => catalog.Apps.FirstOrDefault(app =>
            AppRequestRules.NormalizeName(app.Name) == nameKey
            || AppRequestRules.NormalizeName(app.Slug) == nameKey
            || app.Aliases.Any(a => AppRequestRules.NormalizeName(a) == nameKey)
            || (domain is not null && AppRequestRules.WebDomain(app.WebsiteUrl) == domain));
}

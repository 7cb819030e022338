using Accounts.Orleans.Contracts.Validation;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>A catalog error the caller can act on; carried across the cluster with its type.</summary>
[GenerateSerializer, Alias("catalog.error")]
public abstract class CatalogException : Exception
{
    protected CatalogException(string message) : base(message) { }
}

[GenerateSerializer, Alias("catalog.error.validation")]
public sealed class CatalogValidationException : CatalogException, IFieldErrors
{
    public CatalogValidationException(IReadOnlyDictionary<string, string[]> errors) : base(FieldErrors.Summary(errors)) => Errors = errors;

    [Id(0)] public IReadOnlyDictionary<string, string[]> Errors { get; }
}

[GenerateSerializer, Alias("catalog.error.app-not-found")]
public sealed class AppNotFoundException(string slug) : CatalogException($"No app '{slug}' in the catalog.")
{
    [Id(0)] public string Slug { get; } = slug;
}

[GenerateSerializer, Alias("catalog.error.app-exists")]
public sealed class AppAlreadyInCatalogException(string slug)
    : CatalogException($"The catalog already has this app as '{slug}'.")
{
    [Id(0)] public string Slug { get; } = slug;
}

[GenerateSerializer, Alias("catalog.error.request-not-found")]
public sealed class AppRequestNotFoundException(string requestId)
    : CatalogException($"No app request '{requestId}'.")
{
    [Id(0)] public string RequestId { get; } = requestId;
}

[GenerateSerializer, Alias("catalog.error.triage")]
public sealed class InvalidTriageException(string message) : CatalogException(message);

[GenerateSerializer, Alias("catalog.app-request-limit")]
public enum AppRequestLimit
{
    /// <summary>The one requester has voted for (or opened) as many requests as one person may.</summary>
    VotesPerRequester = 0,
    /// <summary>The catalog holds as many requests as it keeps; votes on existing ones still count.</summary>
    Requests = 1,
}

/// <summary>A submission past a cap that bounds what anonymous callers can make the service store.</summary>
[GenerateSerializer, Alias("catalog.error.request-limit")]
public sealed class AppRequestLimitReachedException(AppRequestLimit limit, int max) : CatalogException(limit == AppRequestLimit.VotesPerRequester
    ? $"One requester may ask for at most {max} apps."
    : $"The catalog already holds {max} app requests, as many as it keeps; vote for an existing one instead.")
{
    [Id(0)] public AppRequestLimit Limit { get; } = limit;
    [Id(1)] public int Max { get; } = max;
}

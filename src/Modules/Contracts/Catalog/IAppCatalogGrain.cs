using Accounts.Orleans.Contracts.Access;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// The single writer of the catalog: operator changes to apps, and the requests for new apps.
/// Hot reads go through <see cref="IAppCatalogReaderGrain"/> instead.
/// </summary>
[Alias("catalog.IAppCatalogGrain")]
public interface IAppCatalogGrain : IGrainWithStringKey
{
    /// <summary>The one catalog of a deployment.</summary>
    public const string DefaultKey = "default";

    /// <summary>The snapshot, or null when <paramref name="knownRevision"/> is still current.</summary>
    [Alias("GetSnapshotIfChanged")]
    Task<CatalogSnapshot?> GetSnapshotIfChangedAsync(long knownRevision);

    /// <summary>Adds an app or overrides a shipped one.</summary>
    /// <exception cref="CatalogValidationException">The definition breaks a catalog rule.</exception>
    [Alias("UpsertApp"), RequiresScope(Scopes.CatalogWrite)]
    Task<AppChange> UpsertAppAsync(AppDefinition app, string operatorId);

    /// <exception cref="AppNotFoundException">No app has this slug.</exception>
    [Alias("SetAppDisabled"), RequiresScope(Scopes.CatalogWrite)]
    Task<AppChange> SetAppDisabledAsync(string slug, bool disabled, string operatorId);

    /// <exception cref="CatalogValidationException">A field is missing, malformed or too long.</exception>
    /// <exception cref="AppAlreadyInCatalogException">The catalog already has this app.</exception>
    /// <exception cref="AppRequestLimitReachedException">The requester, or the catalog, holds as many requests as it may.</exception>
    [Alias("SubmitRequest")]
    Task<AppRequestOutcome> SubmitRequestAsync(AppRequestSubmission submission);

    /// <summary>A page of requests, most votes first.</summary>
    /// <exception cref="CatalogValidationException">The query is out of range or the cursor is not one we issued.</exception>
    [Alias("ListRequests")]
    Task<AppRequestPage> ListRequestsAsync(AppRequestQuery query);

    /// <exception cref="AppRequestNotFoundException">No request has this id.</exception>
    /// <exception cref="InvalidTriageException">The move is not allowed, or a shipped request names no catalog app.</exception>
    [Alias("TriageRequest"), RequiresScope(Scopes.CatalogWrite)]
    Task<AppRequest> TriageRequestAsync(string requestId, AppRequestStatus status, string? shippedSlug, string operatorId, string? note);
}

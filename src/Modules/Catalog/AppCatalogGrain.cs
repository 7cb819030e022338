using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Catalog.Requests;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Ids;
using Accounts.Orleans.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Catalog;

[GrainType("accounts.catalog")]
public sealed partial class AppCatalogGrain(
    [PersistentState("apps", StorageNames.Grains)] IPersistentState<CatalogAppsState> apps,
    [PersistentState("requests", StorageNames.Grains)] IPersistentState<AppRequestsState> requests,
    ShippedCatalog shipped,
    AppRequestTable requestTable,
    IOptions<CatalogOptions> options,
    CatalogMetrics metrics,
    IAuditLog audit,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AppCatalogGrain> logger) : Grain, IAppCatalogGrain
{
    private CatalogComposition? _catalog;

    private AppRequestBook Requests => new(requestTable, options.Value);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (requests.State.Requests.Count == 0) return;
        // Requests stored before they had a table: moved once (a crash between the two steps repeats an idempotent import).
        var imported = await Requests.ImportAsync(requests.State, cancellationToken);
        await requests.ClearStateAsync(cancellationToken);
        LogRequestsImported(logger, imported);
    }

    private CatalogComposition Catalog => _catalog ??= CatalogComposition.Compose(
        apps.State.Revision, shipped.Seed, shipped.OperatorFile, apps.State.Upserts.Values, apps.State.Disabled);

    Task<CatalogSnapshot?> IAppCatalogGrain.GetSnapshotIfChangedAsync(long knownRevision)
        => Task.FromResult(knownRevision == Catalog.Revision ? null : Catalog.ToSnapshot());

    async Task<AppChange> IAppCatalogGrain.UpsertAppAsync(AppDefinition app, string operatorId)
    {
        operatorId = Principal.Actor(operatorId)!;
        var errors = AppDefinitionRules.Validate(app, options.Value.AllowLoopbackHttp);
        if (errors.Count == 0)
        {
            var others = Catalog.Apps.Where(a => a.Slug != app.Slug).Append(app);
            if (CatalogComposition.FindNameClashes(others).FirstOrDefault() is { } clash)
                errors = new Dictionary<string, string[]> { ["aliases"] = [clash] };
        }
        if (errors.Count > 0) throw new CatalogValidationException(errors);

        var before = Catalog.Find(app.Slug);
        await ChangeAppsAsync(s => s.Upserts[app.Slug] = app);
        Audit(AppSubject(app.Slug), before is null ? "app_added" : "app_changed", operatorId, AppEndpoints.Moves(before, app) is { } moves ? "endpoints moved: " + moves : null);
        LogAppUpserted(logger, app.Slug, operatorId);
        return new AppChange(Catalog.Find(app.Slug)!, Catalog.Revision);
    }

    async Task<AppChange> IAppCatalogGrain.SetAppDisabledAsync(string slug, bool disabled, string operatorId)
    {
        operatorId = Principal.Actor(operatorId)!;
        var app = Catalog.Find(slug ?? "") ?? throw new AppNotFoundException(slug ?? "");
        if (app.Disabled != disabled)
        {
            await ChangeAppsAsync(s => s.Disabled[app.Slug] = disabled);
            Audit(AppSubject(app.Slug), disabled ? "app_disabled" : "app_enabled", operatorId, detail: null);
            LogAppDisabled(logger, app.Slug, disabled, operatorId);
        }
        return new AppChange(Catalog.Find(app.Slug)!, Catalog.Revision);
    }

    async Task<AppRequestOutcome> IAppCatalogGrain.SubmitRequestAsync(AppRequestSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var outcome = await Requests.SubmitAsync(submission, Catalog, NewRequestId(), time.GetUtcNow(), CancellationToken.None);
        metrics.RequestSubmitted(outcome.Kind);
        if (outcome.Kind == AppRequestOutcomeKind.Created) LogRequestOpened(logger, outcome.Request.Id);
        return outcome;
    }

    Task<AppRequestPage> IAppCatalogGrain.ListRequestsAsync(AppRequestQuery query) => requestTable.ListAsync(query, CancellationToken.None);

    async Task<AppRequest> IAppCatalogGrain.TriageRequestAsync(string requestId, AppRequestStatus status, string? shippedSlug, string operatorId, string? note)
    {
        operatorId = Principal.Actor(operatorId)!;
        var request = await Requests.TriageAsync(requestId, status, shippedSlug, operatorId, note, Catalog, time.GetUtcNow(), CancellationToken.None);
        Audit($"app-request:{request.Id}", "app_request_triaged", operatorId, shippedSlug is null ? $"{status}" : $"{status} as {shippedSlug}");
        LogRequestTriaged(logger, request.Id, status, operatorId);
        return request;
    }

    /// <summary>The audit trail's subject for an app of the catalog.</summary>
    public static string AppSubject(string slug) => "app:" + slug;

    private void Audit(string subject, string action, string actor, string? detail)
        => audit.Record(new AuditEvent(time.GetUtcNow(), subject, WorkspaceId: "", action, actor, WorkflowId: null, StepId: null, detail));

    private async Task ChangeAppsAsync(Action<CatalogAppsState> change)
    {
        change(apps.State);
        apps.State.Revision++;
        _catalog = null;
        await PersistAsync(apps);
    }

    private Task PersistAsync<T>(IPersistentState<T> state) => state.WriteOrStartOverAsync(() =>
    {
        _catalog = null;
        DeactivateOnIdle();
    });

    private string NewRequestId() => TimeOrderedId.New("req_", time);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {Slug} added or changed by {OperatorId}")]
    private static partial void LogAppUpserted(ILogger logger, string slug, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "App {Slug} disabled={Disabled} by {OperatorId}")]
    private static partial void LogAppDisabled(ILogger logger, string slug, bool disabled, string operatorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Moved {Count} app request(s) from the catalog's state into their table")]
    private static partial void LogRequestsImported(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "App request {RequestId} opened")]
    private static partial void LogRequestOpened(ILogger logger, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "App request {RequestId} moved to {Status} by {OperatorId}")]
    private static partial void LogRequestTriaged(ILogger logger, string requestId, AppRequestStatus status, string operatorId);
}

using Microsoft.Extensions.Logging;
using Orleans.Concurrency;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>
/// One per silo: serves catalog reads from a local snapshot and asks the catalog grain for a newer one at most
/// once per refresh interval. When the catalog grain is unreachable (its silo just died), reads go on from the
/// last snapshot instead of failing.
/// </summary>
[GrainType("accounts.catalog-reader")]
[StatelessWorker(1)]
[Reentrant]
public sealed partial class AppCatalogReaderGrain(
    IGrainFactory grains,
    IOptions<CatalogOptions> options,
    CatalogMetrics metrics,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AppCatalogReaderGrain> logger) : Grain, IAppCatalogReaderGrain
{
    /// <summary>How long a refresh may take while a copy is at hand to serve instead.</summary>
    private static readonly TimeSpan RefreshTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long the first load may take: with no copy to serve, a caller is better answered late than refused, and the
    /// catalog grain's first activation (state, migration, hundreds of apps composed) can outlast a refresh's budget on
    /// a busy silo. Still well inside the grain call timeout.
    /// </summary>
    private static readonly TimeSpan FirstLoadTimeout = TimeSpan.FromSeconds(20);

    private CatalogComposition? _catalog;
    private long _checkedAt;
    private Task<CatalogComposition>? _refresh;

    async Task<AppPage> IAppCatalogReaderGrain.ListAppsAsync(AppQuery query)
        => AppSearch.Run(await CurrentAsync(query.AtLeastRevision), query);

    async Task<AppDefinition?> IAppCatalogReaderGrain.GetAppAsync(string slugOrAlias)
        => (await CurrentAsync(atLeastRevision: 0)).Find(slugOrAlias);

    /// <summary>The local copy while it is fresh and at least <paramref name="atLeastRevision"/>; otherwise a newer one first.</summary>
    private async ValueTask<CatalogComposition> CurrentAsync(long atLeastRevision)
    {
        if (_catalog is { } catalog && catalog.Revision >= atLeastRevision && time.GetElapsedTime(_checkedAt) < options.Value.ReaderRefreshInterval)
            return catalog;
        // Turns interleave (reentrant) but never run in parallel, so this needs no lock. A refresh already under way
        // may have started before the change a caller waits for, hence the second look.
        var current = await (_refresh ??= RefreshAsync());
        return current.Revision >= atLeastRevision ? current : await (_refresh ??= RefreshAsync());
    }

    private async Task<CatalogComposition> RefreshAsync()
    {
        try
        {
            var catalog = grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
            var snapshot = await catalog.GetSnapshotIfChangedAsync(_catalog?.Revision ?? -1).WaitAsync(_catalog is null ? FirstLoadTimeout : RefreshTimeout, time);
            if (snapshot is not null)
            {
                _catalog = CatalogComposition.FromSnapshot(snapshot);
                metrics.SnapshotLoaded();
            }
            _checkedAt = time.GetTimestamp();
            return _catalog!;
        }
        catch (Exception e) when (_catalog is not null && e is not CatalogException)
        {
            // Serve the last snapshot and try again after the next interval.
            LogRefreshFailed(logger, e.GetType().Name, _catalog.Revision);
            _checkedAt = time.GetTimestamp();
            return _catalog;
        }
        finally
        {
            _refresh = null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catalog refresh failed ({Error}); serving revision {Revision} until the next try")]
    private static partial void LogRefreshFailed(ILogger logger, string error, long revision);
}

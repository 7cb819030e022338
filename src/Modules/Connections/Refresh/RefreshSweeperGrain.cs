using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Index;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>
/// Refreshes tokens before they are due, so workflow reads rarely wait: pages through the index for tokens that
/// expire soon and nudges their accounts, a bounded number at a time. One per cluster.
/// </summary>
[GrainType("accounts.refresh-sweeper")]
public sealed partial class RefreshSweeperGrain(
    AccountIndex index,
    IGrainFactory grains,
    IOptions<ConnectionsOptions> options,
    ConnectionsTelemetry telemetry,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<RefreshSweeperGrain> logger) : Grain, IRefreshSweeperGrain
{
    private const int PageSize = 200;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    async Task<int> IRefreshSweeperGrain.SweepAsync()
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        if (now - _lastSweep < settings.SweepInterval) return 0;
        _lastSweep = now;

        // Catch what becomes due before the next sweep. An app with a margin above the default is refreshed by the
        // sweep that falls inside the default margin, or by a read before that: waking every account early costs more.
        var lookahead = settings.SweepInterval * 2;
        var horizon = now + lookahead + settings.DefaultRefreshMargin;
        var nudged = 0;
        string? after = null;
        while (true)
        {
            var page = await index.ExpiringAsync(horizon, after, PageSize, CancellationToken.None);
            if (page.Count == 0) break;
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = settings.SweepConcurrency },
                async (id, _) => await grains.GetGrain<IAccountLifecycleGrain>(id).RefreshIfDueAsync(lookahead));
            nudged += page.Count;
            after = page[^1];
        }
        if (nudged > 0) LogSwept(logger, nudged);
        telemetry.AccountsCounted(await index.CountByHealthAsync(CancellationToken.None));
        return nudged;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh sweep looked at {Count} account(s)")]
    private static partial void LogSwept(ILogger logger, int count);
}

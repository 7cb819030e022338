using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Index;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>
/// Refreshes tokens before they are due, so workflow reads rarely wait: pages through the index for tokens that
/// expire soon and nudges their accounts, a bounded number at a time. It also tries due key-based accounts' keys at
/// their apps, and lets degraded accounts that have been quiet long enough recover. One per cluster.
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
        var nudged = await NudgeAsync((after, n) => index.ExpiringAsync(horizon, after, n, CancellationToken.None), account => account.RefreshIfDueAsync(lookahead));
        nudged += await NudgeAsync((after, n) => index.DueForKeyCheckAsync(now, after, n, CancellationToken.None), account => account.CheckKeysIfDueAsync());
        nudged += await NudgeAsync((after, n) => index.DegradedAsync(after, n, CancellationToken.None), account => account.SettleHealthAsync());
        if (nudged > 0) LogSwept(logger, nudged);
        telemetry.AccountsCounted(await index.CountByHealthAsync(CancellationToken.None));
        return nudged;
    }

    private async Task<int> NudgeAsync(Func<string?, int, Task<IReadOnlyList<string>>> pageAfter, Func<IAccountLifecycleGrain, Task> nudge)
    {
        var nudged = 0;
        string? after = null;
        while (true)
        {
            var page = await pageAfter(after, PageSize);
            if (page.Count == 0) return nudged;
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = options.Value.SweepConcurrency },
                async (id, _) =>
                {
                    try
                    {
                        await nudge(grains.GetGrain<IAccountLifecycleGrain>(id));
                    }
                    catch (Exception e) when (e is AccountException or Contracts.Storage.StorageUnavailableException)
                    {
                        // The account's health (or the storage log) says what went wrong; the sweep moves on.
                    }
                });
            nudged += page.Count;
            after = page[^1];
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Refresh sweep looked at {Count} account(s)")]
    private static partial void LogSwept(ILogger logger, int count);
}

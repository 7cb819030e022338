using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>Each silo asks the cluster's sweeper to run every interval; the sweeper itself keeps it to one run.</summary>
public sealed partial class RefreshSweepService(IGrainFactory grains, IOptions<ConnectionsOptions> options, TimeProvider time, ILogger<RefreshSweepService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await grains.GetGrain<IRefreshSweeperGrain>(0).SweepAsync();
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSweepFailed(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refresh sweep failed ({Error}); trying again next interval")]
    private static partial void LogSweepFailed(ILogger logger, string error);
}

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>Each silo asks the cluster's sweeper to run every interval; the sweeper itself keeps it to one run.</summary>
public sealed class RefreshSweepService(IGrainFactory grains, IOptions<ConnectionsOptions> options, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<RefreshSweepService> logger)
    : PeriodicWork(options.Value.SweepInterval, time, logger)
{
    protected override string Name => "Refresh sweep";

    protected override Task RunAsync(CancellationToken cancellationToken) => grains.GetGrain<IRefreshSweeperGrain>(0).SweepAsync();
}

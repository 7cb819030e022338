namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// Each silo asks the cluster's <see cref="IClientSecretWatchGrain"/> to check every hour: expiries are counted in days,
/// and the grain remembers what it announced, so asking from every silo announces each warning once.
/// </summary>
public sealed class ClientSecretWatch(IGrainFactory grains, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<ClientSecretWatch> logger)
    : PeriodicWork(Interval, time, logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override string Name => "Checking OAuth client secret expiries";

    /// <summary>Announces the expiry warnings now due; how many events went to the outbox.</summary>
    public Task<int> CheckAsync() => grains.GetGrain<IClientSecretWatchGrain>(0).CheckAsync();

    protected override Task RunAsync(CancellationToken cancellationToken) => CheckAsync();
}

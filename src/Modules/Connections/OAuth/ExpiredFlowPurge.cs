namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// Deletes authorization flows past their retention, so a busy service does not keep a row for every consent screen
/// ever opened. A flow expires minutes after it starts and is never written again, so deleting its row cannot race
/// its grain; each silo runs the purge, and a second delete of the same rows finds none.
/// </summary>
public sealed partial class ExpiredFlowPurge(GrainStateTable table, IOptions<ConnectionsOptions> options, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<ExpiredFlowPurge> logger)
    : PeriodicWork(options.Value.FlowPurgeInterval, time, logger)
{
    protected override string Name => "Purging old OAuth authorization flows";

    /// <summary>Deletes the flows last written more than the retention before <paramref name="now"/>; how many.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Never sooner than a flow can still be completed, whatever the settings say.
        var keep = settings.FlowRetention > settings.FlowLifetime ? settings.FlowRetention : settings.FlowLifetime;
        var deleted = await table.DeleteWrittenBeforeAsync(OAuthFlowGrain.StateName, now - keep, cancellationToken);
        if (deleted > 0) LogPurged(Logger, deleted);
        return deleted;
    }

    protected override Task RunAsync(CancellationToken cancellationToken) => PurgeAsync(Time.GetUtcNow(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} OAuth authorization flow(s) past their retention")]
    private static partial void LogPurged(ILogger logger, int count);
}

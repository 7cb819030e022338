namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// Deletes authorization flows and connect sessions past their retention, so a busy service does not keep a row for
/// every consent screen or connect link ever opened. A flow expires minutes after it starts, a session hours after,
/// and neither is written again after that (a session's last flow ends within a flow's lifetime), so deleting their
/// rows cannot race their grains; each silo runs the purge, and a second delete of the same rows finds none.
/// </summary>
public sealed partial class ExpiredFlowPurge(GrainStateTable table, IOptions<ConnectionsOptions> options, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<ExpiredFlowPurge> logger)
    : PeriodicWork(options.Value.FlowPurgeInterval, time, logger)
{
    protected override string Name => "Purging old OAuth authorization flows and connect sessions";

    /// <summary>
    /// Deletes the flows last written more than the retention before <paramref name="now"/>, and the sessions last
    /// written more than the retention and a session's longest lifetime before it; how many rows.
    /// </summary>
    public async Task<int> PurgeAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Never sooner than a flow can still be completed, whatever the settings say.
        var keep = settings.FlowRetention > settings.FlowLifetime ? settings.FlowRetention : settings.FlowLifetime;
        var flows = await table.DeleteWrittenBeforeAsync(OAuthFlowGrain.StateName, now - keep, cancellationToken);
        var sessions = await table.DeleteWrittenBeforeAsync(Connect.ConnectSessionGrain.StateName, now - keep - ConnectSessionRequest.MaxLifetime, cancellationToken);
        if (flows + sessions > 0) LogPurged(Logger, flows, sessions);
        return flows + sessions;
    }

    protected override Task RunAsync(CancellationToken cancellationToken) => PurgeAsync(Time.GetUtcNow(), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Flows} OAuth authorization flow(s) and {Sessions} connect session(s) past their retention")]
    private static partial void LogPurged(ILogger logger, int flows, int sessions);
}

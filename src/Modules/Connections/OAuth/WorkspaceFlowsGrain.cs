namespace Accounts.Orleans.Connections.OAuth;

/// <summary>Counts one workspace's OAuth consents in progress, so a caller cannot start them without bound.</summary>
[Alias("accounts.IWorkspaceFlowsGrain")]
public interface IWorkspaceFlowsGrain : IGrainWithStringKey
{
    /// <exception cref="WorkspaceLimitReachedException">The workspace has as many as allowed.</exception>
    [Alias("Reserve")]
    Task ReserveAsync(DateTimeOffset expiresAt);
}

/// <summary>
/// Keyed by workspace. Kept in memory only: the count is a flood guard, not a record, and after a restart the flows
/// already started expire on their own within a lifetime.
/// </summary>
[GrainType("accounts.workspace-flows")]
public sealed class WorkspaceFlowsGrain(IOptions<ConnectionsOptions> options, [FromKeyedServices(ServiceClock.Key)] TimeProvider time)
    : Grain, IWorkspaceFlowsGrain
{
    private readonly Queue<DateTimeOffset> _pending = new();

    public Task ReserveAsync(DateTimeOffset expiresAt)
    {
        var now = time.GetUtcNow();
        // Flows share one lifetime, so they expire in the order they started.
        while (_pending.TryPeek(out var first) && first <= now) _pending.Dequeue();
        var max = options.Value.MaxPendingFlowsPerWorkspace;
        if (_pending.Count >= max) throw new WorkspaceLimitReachedException(this.GetPrimaryKeyString(), WorkspaceLimit.PendingFlows, max);
        _pending.Enqueue(expiresAt);
        return Task.CompletedTask;
    }
}

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>One app's token-endpoint budget across the cluster (key: the app's slug).</summary>
[Alias("accounts.IAppTokenBudgetGrain")]
public interface IAppTokenBudgetGrain : IGrainWithStringKey
{
    /// <summary>Whether a refresh may call the app's token endpoint now (see <see cref="TokenBudget"/>).</summary>
    [Alias("TryTake")]
    Task<bool> TryTakeAsync(int perMinute, bool urgent);
}

/// <summary>
/// Holds the bucket in memory: a silo restart forgets what was spent, which at worst lets one more minute's worth
/// through, while a write per refresh would cost every refresh a database round trip.
/// </summary>
[GrainType("accounts.app-token-budget")]
public sealed class AppTokenBudgetGrain([FromKeyedServices(ServiceClock.Key)] TimeProvider time) : Grain, IAppTokenBudgetGrain
{
    private TokenBudget? _budget;

    Task<bool> IAppTokenBudgetGrain.TryTakeAsync(int perMinute, bool urgent)
    {
        var now = time.GetUtcNow();
        _budget ??= new TokenBudget(perMinute, now);
        return Task.FromResult(_budget.TryTake(now, urgent, perMinute));
    }
}

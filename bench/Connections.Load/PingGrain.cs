namespace Accounts.Orleans.Connections.Load;

/// <summary>The baseline: a grain call that does nothing, to compare a credential read against.</summary>
[Alias("load.IPingGrain")]
public interface IPingGrain : IGrainWithStringKey
{
    [Alias("Ping")]
    Task<int> PingAsync();
}

[GrainType("load.ping")]
public sealed class PingGrain : Grain, IPingGrain
{
    public Task<int> PingAsync() => Task.FromResult(1);
}

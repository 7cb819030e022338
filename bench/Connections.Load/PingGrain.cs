// Outside the service's namespaces, so the silo's edge lets it through unchecked: the baseline pays for no key
// check, and the ratio to a credential read includes the whole cost of verifying the caller.
namespace LoadProbe;

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

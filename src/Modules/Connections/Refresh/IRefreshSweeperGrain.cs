using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Index;

namespace Accounts.Orleans.Connections.Refresh;

[Alias("accounts.IRefreshSweeperGrain")]
public interface IRefreshSweeperGrain : IGrainWithIntegerKey
{
    /// <summary>Sweeps unless a sweep ran within the interval; every silo calls it, one sweep happens per interval.</summary>
    [Alias("Sweep")]
    Task<int> SweepAsync();
}

using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// How the Connections module itself reads stored clients and re-keys them. Not in the contracts: the public registry
/// has no way to get a secret back, and this one hands out only the sealed form.
/// </summary>
[Alias("accounts.IOAuthClientStoreGrain")]
public interface IOAuthClientStoreGrain : IGrainWithIntegerKey
{
    /// <summary>The stored client of an app, or null; configuration is not consulted here (see <see cref="OAuthClients"/>).</summary>
    [Alias("Find"), ReadOnly]
    Task<SealedOAuthClient?> FindAsync(string appSlug);

    /// <summary>Every app's client, from configuration or stored, as the registry lists it; for the expiry watch.</summary>
    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<OAuthClientStatus>> ListAsync();

    /// <summary>Re-wraps every stored secret's data key under the active master key.</summary>
    [Alias("Rewrap")]
    Task<MaintenanceReport> RewrapAsync();
}

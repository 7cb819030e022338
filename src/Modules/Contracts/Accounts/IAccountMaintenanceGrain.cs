using Accounts.Orleans.Contracts.Access;


namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>Operator maintenance over every account; long-running, so call it with a generous timeout.</summary>
[Alias("accounts.IAccountMaintenanceGrain")]
public interface IAccountMaintenanceGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Re-wraps every account's data key, and every stored OAuth client secret's, under the active master key, so older
    /// keys can be retired. A stored client that fails is reported as <c>oauth-client:&lt;slug&gt;</c>.
    /// </summary>
    [Alias("RewrapAll"), RequiresScope(Scopes.Admin)]
    Task<MaintenanceReport> RewrapAllAsync(string actor);

    /// <summary>Rebuilds the account index from stored account state, without activating any account.</summary>
    [Alias("RebuildIndex"), RequiresScope(Scopes.Admin)]
    Task<MaintenanceReport> RebuildIndexAsync(string actor);
}

namespace Accounts.Orleans.Contracts.Access;

/// <summary>The cluster's API keys (key: 0). Keys are stored as hashes; a revoke reaches every silo within seconds.</summary>
[Alias("access.IApiKeyRegistryGrain")]
public interface IApiKeyRegistryGrain : IGrainWithIntegerKey
{
    /// <exception cref="Accounts.AccountValidationException">A bad name, workspace or scope, or a live key already has the name.</exception>
    [Alias("Create"), RequiresScope(Scopes.Admin)]
    Task<ApiKeyCreated> CreateAsync(ApiKeyRequest request);

    [Alias("List"), RequiresScope(Scopes.Admin)]
    Task<IReadOnlyList<ApiKeyView>> ListAsync();

    /// <returns>False when no live key has the name.</returns>
    [Alias("Revoke"), RequiresScope(Scopes.Admin)]
    Task<bool> RevokeAsync(string name);
}

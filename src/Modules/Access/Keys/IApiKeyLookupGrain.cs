namespace Accounts.Orleans.Access.Keys;

/// <summary>The silos' side of the registry: a key by id, for <see cref="ApiKeyVerifier"/>. Refused to clients.</summary>
[Alias("access.IApiKeyLookupGrain")]
public interface IApiKeyLookupGrain : IGrainWithIntegerKey
{
    /// <remarks>Interleaves: the registry's own calls are checked at the edge too, which looks their key up here.</remarks>
    [Alias("Find"), global::Orleans.Concurrency.AlwaysInterleave]
    Task<StoredApiKey?> FindAsync(string id);
}

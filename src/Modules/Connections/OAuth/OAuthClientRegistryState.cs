using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>The OAuth clients operators entered, by app slug. Secrets live only sealed; the rest may be shown.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-registry-state")]
public sealed class OAuthClientRegistryState
{
    [Id(0)] public Dictionary<string, StoredOAuthClient> Clients { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("accounts.oauth-client-stored")]
public sealed class StoredOAuthClient
{
    [Id(0)] public string ClientId { get; set; } = "";
    /// <summary>The client secret in an envelope bound to the app (<see cref="Binding"/>); null for a public client.</summary>
    [Id(1)] public byte[]? SealedSecret { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(3)] public string UpdatedBy { get; set; } = "";

    /// <summary>
    /// Whose secret an envelope holds: the app. No account id ever starts with this prefix and the workspace is empty,
    /// so an account's envelope and a client's can never be swapped, nor two apps' secrets.
    /// </summary>
    public static CredentialBinding Binding(string appSlug) => new(WorkspaceId: "", AccountId: "oauth-client:" + appSlug);
}

/// <summary>A stored client as the silo's own code receives it: the secret still sealed, opened only where it is used.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-sealed"), Immutable]
public sealed record SealedOAuthClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] byte[]? SealedSecret)
{
    public override string ToString() => $"SealedOAuthClient {{ ClientId = {ClientId}, HasSecret = {SealedSecret is not null} }}";
}

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

    /// <summary>Re-wraps every stored secret's data key under the active master key.</summary>
    [Alias("Rewrap")]
    Task<MaintenanceReport> RewrapAsync();
}

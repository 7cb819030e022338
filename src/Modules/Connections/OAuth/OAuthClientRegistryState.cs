using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>The OAuth clients operators entered, by app slug. Secrets live only sealed; the rest may be shown.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-registry-state")]
public sealed class OAuthClientRegistryState
{
    [Id(0)] public Dictionary<string, StoredOAuthClient> Clients { get; set; } = new(StringComparer.Ordinal);
}

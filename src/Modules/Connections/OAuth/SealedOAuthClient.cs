using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>A stored client as the silo's own code receives it: the secret still sealed, opened only where it is used.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-sealed"), Immutable]
public sealed record SealedOAuthClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] byte[]? SealedSecret)
{
    public override string ToString() => $"SealedOAuthClient {{ ClientId = {ClientId}, HasSecret = {SealedSecret is not null} }}";
}

using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>A stored client as the silo's own code receives it: the secret still sealed, opened only where it is used.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-sealed"), Immutable]
public sealed record SealedOAuthClient(
    [property: Id(0)] string ClientId,
    [property: Id(1)] byte[]? SealedSecret)
{
    /// <summary>The next secret while a rotation overlaps, sealed like the current one.</summary>
    [Id(2)] public byte[]? SealedNextSecret { get; init; }

    public override string ToString() => $"SealedOAuthClient {{ ClientId = {ClientId}, HasSecret = {SealedSecret is not null}, HasNextSecret = {SealedNextSecret is not null} }}";
}

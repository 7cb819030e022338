
namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>What a person may see of an app's OAuth client: the client id (public at the app anyway), never the secret.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-status"), Immutable]
public sealed record OAuthClientStatus
{
    [Id(0)] public required string AppSlug { get; init; }
    [Id(1)] public required string ClientId { get; init; }
    [Id(2)] public required bool HasSecret { get; init; }
    [Id(3)] public required OAuthClientSource Source { get; init; }
    /// <summary>When an operator last stored it; null for configuration.</summary>
    [Id(4)] public DateTimeOffset? UpdatedAt { get; init; }
    [Id(5)] public string? UpdatedBy { get; init; }
    /// <summary>When the current secret stops working, as the operator recorded it; null when nobody did.</summary>
    [Id(6)] public DateTimeOffset? SecretExpiresAt { get; init; }
    /// <summary>A next secret is held for a rotation: token calls the app refuses with the current one try it.</summary>
    [Id(7)] public bool HasNextSecret { get; init; }
    /// <summary>
    /// How soon the current secret expires, as of the listing. With a next secret that lasts longer, the warning still
    /// stands: promote the next secret to be the current one (record its expiry) before the current one's date.
    /// </summary>
    [Id(8)] public OAuthClientSecretWarning SecretWarning { get; init; }
    [Id(9)] public DateTimeOffset? NextSecretExpiresAt { get; init; }
}

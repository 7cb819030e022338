
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
}

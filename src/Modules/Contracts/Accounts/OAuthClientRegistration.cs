
namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// An OAuth client an operator registered at an app. Its <see cref="ToString"/> never prints the secret, so a
/// registration that reaches a log by mistake leaks nothing.
/// </summary>
[GenerateSerializer, Alias("accounts.oauth-client-registration"), Immutable]
public sealed record OAuthClientRegistration
{
    [Id(0)] public required string AppSlug { get; init; }
    [Id(1)] public required string ClientId { get; init; }
    /// <summary>Null for a public client (PKCE without a secret).</summary>
    [Id(2)] public string? ClientSecret { get; init; }
    /// <summary>Who does it, for the audit trail.</summary>
    [Id(3)] public required string Actor { get; init; }

    public const int MaxClientIdLength = 512;
    public const int MaxClientSecretLength = 4096;

    public override string ToString() => $"OAuthClientRegistration {{ AppSlug = {AppSlug}, ClientId = {ClientId}, HasSecret = {ClientSecret is not null} }}";
}

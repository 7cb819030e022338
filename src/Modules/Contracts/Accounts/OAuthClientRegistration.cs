
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
    /// <summary>When the app stops accepting <see cref="ClientSecret"/>, if it says; the service warns 30 and 7 days ahead.</summary>
    [Id(4)] public DateTimeOffset? SecretExpiresAt { get; init; }
    /// <summary>
    /// The secret the app issued next, while both are accepted: sealed like the current one and never returned. A token
    /// call the app refuses as <c>invalid_client</c> is tried once with the other, so a rotation never breaks refreshes.
    /// </summary>
    [Id(5)] public string? NextClientSecret { get; init; }
    [Id(6)] public DateTimeOffset? NextSecretExpiresAt { get; init; }

    public const int MaxClientIdLength = 512;
    public const int MaxClientSecretLength = 4096;

    public override string ToString() => $"OAuthClientRegistration {{ AppSlug = {AppSlug}, ClientId = {ClientId}, HasSecret = {ClientSecret is not null}, HasNextSecret = {NextClientSecret is not null} }}";
}

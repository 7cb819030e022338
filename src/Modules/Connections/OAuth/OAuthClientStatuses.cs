namespace Accounts.Orleans.Connections.OAuth;

/// <summary>What an operator sees of a client, from either source, judged as of <c>now</c>; never a secret.</summary>
public static class OAuthClientStatuses
{
    public static OAuthClientStatus FromConfiguration(string appSlug, OAuthClientCredentials client, DateTimeOffset now) => new()
    {
        AppSlug = appSlug,
        ClientId = client.ClientId,
        HasSecret = !string.IsNullOrEmpty(client.ClientSecret),
        Source = OAuthClientSource.Configuration,
        SecretExpiresAt = client.SecretExpiresAt,
        HasNextSecret = !string.IsNullOrEmpty(client.NextClientSecret),
        NextSecretExpiresAt = client.NextSecretExpiresAt,
        SecretWarning = ClientSecretExpiry.Decide(client.SecretExpiresAt, now),
    };

    public static OAuthClientStatus FromStored(string appSlug, StoredOAuthClient client, DateTimeOffset now) => new()
    {
        AppSlug = appSlug,
        ClientId = client.ClientId,
        HasSecret = client.SealedSecret is not null,
        Source = OAuthClientSource.Stored,
        UpdatedAt = client.UpdatedAt,
        UpdatedBy = client.UpdatedBy,
        SecretExpiresAt = client.SecretExpiresAt,
        HasNextSecret = client.SealedNextSecret is not null,
        NextSecretExpiresAt = client.NextSecretExpiresAt,
        SecretWarning = ClientSecretExpiry.Decide(client.SecretExpiresAt, now),
    };
}

using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>How soon an OAuth client's current secret expires, as <see cref="ClientSecretExpiry.Decide"/> judges it.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-secret-warning")]
[JsonConverter(typeof(JsonStringEnumConverter<OAuthClientSecretWarning>))]
public enum OAuthClientSecretWarning
{
    /// <summary>No expiry is recorded, or it is more than 30 days away.</summary>
    None = 0,
    Within30Days = 1,
    Within7Days = 2,
    /// <summary>The recorded expiry has passed: the app refuses the secret, and no token can be refreshed with it.</summary>
    Expired = 3,
}

using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// The shape of an OAuth client an operator enters. Client ids and secrets are printable ASCII (RFC 6749 Appendix A,
/// VSCHAR); surrounding whitespace, as a paste brings along, is dropped. Messages never repeat a value.
/// </summary>
public static class OAuthClientRules
{
    public static readonly string ClientIdRule = $"must be 1-{OAuthClientRegistration.MaxClientIdLength} printable ASCII characters";

    public static readonly string ClientSecretRule = $"must be 1-{OAuthClientRegistration.MaxClientSecretLength} printable ASCII characters; leave it out for a public client";

    public const string NextClientSecretRule = "needs a current client secret beside it; a public client has nothing to rotate";

    public const string ExpiryWithoutSecretRule = "is set for a secret that is not: there is nothing to expire";

    /// <summary>
    /// The registration's client id and secret, trimmed, with an error per field that breaks a rule (the next secret and
    /// the expiries included; <see cref="NextSecret"/> gives the next secret trimmed).
    /// </summary>
    public static (string ClientId, string? ClientSecret, Dictionary<string, string[]> Errors) Check(OAuthClientRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AppSlug.IsValid(registration.AppSlug)) errors["appSlug"] = [AppSlug.Rule];
        var clientId = registration.ClientId?.Trim() ?? "";
        if (!PrintableText.IsPrintableAscii(clientId, OAuthClientRegistration.MaxClientIdLength)) errors["clientId"] = [ClientIdRule];
        var secret = registration.ClientSecret?.Trim();
        if (secret is not null && !PrintableText.IsPrintableAscii(secret, OAuthClientRegistration.MaxClientSecretLength)) errors["clientSecret"] = [ClientSecretRule];
        var next = NextSecret(registration);
        if (next is not null && !PrintableText.IsPrintableAscii(next, OAuthClientRegistration.MaxClientSecretLength)) errors["nextClientSecret"] = [ClientSecretRule];
        else if (next is not null && secret is null) errors["nextClientSecret"] = [NextClientSecretRule];
        if (registration.SecretExpiresAt is not null && secret is null) errors["secretExpiresAt"] = [ExpiryWithoutSecretRule];
        if (registration.NextSecretExpiresAt is not null && next is null) errors["nextSecretExpiresAt"] = [ExpiryWithoutSecretRule];
        return (clientId, secret, errors);
    }

    public static string? NextSecret(OAuthClientRegistration registration) => registration.NextClientSecret?.Trim();
}

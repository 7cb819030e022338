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

    /// <summary>The registration's client id and secret, trimmed, with an error per field that breaks a rule.</summary>
    public static (string ClientId, string? ClientSecret, Dictionary<string, string[]> Errors) Check(OAuthClientRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AppSlug.IsValid(registration.AppSlug)) errors["appSlug"] = [AppSlug.Rule];
        var clientId = registration.ClientId?.Trim() ?? "";
        if (!PrintableText.IsPrintableAscii(clientId, OAuthClientRegistration.MaxClientIdLength)) errors["clientId"] = [ClientIdRule];
        var secret = registration.ClientSecret?.Trim();
        if (secret is not null && !PrintableText.IsPrintableAscii(secret, OAuthClientRegistration.MaxClientSecretLength)) errors["clientSecret"] = [ClientSecretRule];
        return (clientId, secret, errors);
    }
}

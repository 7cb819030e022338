using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// The shape of an OAuth client an operator enters. Client ids and secrets are printable ASCII (RFC 6749 Appendix A,
/// VSCHAR); surrounding whitespace, as a paste brings along, is dropped. Messages never repeat a value.
/// </summary>
public static class OAuthClientRules
{
    public const string SlugRule = "must be 2-64 characters of a-z, 0-9 and _, starting with a letter";

    public static readonly string ClientIdRule = $"must be 1-{OAuthClientRegistration.MaxClientIdLength} printable ASCII characters";

    public static readonly string ClientSecretRule = $"must be 1-{OAuthClientRegistration.MaxClientSecretLength} printable ASCII characters; leave it out for a public client";

    public static bool IsSlug(string? slug)
        => slug is { Length: >= 2 and <= 64 } && char.IsAsciiLetterLower(slug[0]) && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');

    /// <summary>The registration's client id and secret, trimmed, with an error per field that breaks a rule.</summary>
    public static (string ClientId, string? ClientSecret, Dictionary<string, string[]> Errors) Check(OAuthClientRegistration registration)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!IsSlug(registration.AppSlug)) errors["appSlug"] = [SlugRule];
        var clientId = registration.ClientId?.Trim() ?? "";
        if (!IsPrintable(clientId, OAuthClientRegistration.MaxClientIdLength)) errors["clientId"] = [ClientIdRule];
        var secret = registration.ClientSecret?.Trim();
        if (secret is not null && !IsPrintable(secret, OAuthClientRegistration.MaxClientSecretLength)) errors["clientSecret"] = [ClientSecretRule];
        return (clientId, secret, errors);
    }

    private static bool IsPrintable(string value, int maxLength)
        => value.Length >= 1 && value.Length <= maxLength && value.All(c => c is >= ' ' and <= '~');
}

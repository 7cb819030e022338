using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>How an app authenticates the accounts connected to it.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AuthType>))]
[GenerateSerializer, Alias("catalog.auth-type")]
public enum AuthType
{
    [JsonStringEnumMemberName("oauth2")] OAuth2 = 0,
    [JsonStringEnumMemberName("keys")] Keys = 1,
    /// <summary>
    /// OAuth 2.0 client credentials (RFC 6749 §4.4): the account holds its own client id and secret (key fields), and the
    /// service fetches access tokens with them, before each expires; no person consents and there is no refresh token.
    /// </summary>
    [JsonStringEnumMemberName("client_credentials")] ClientCredentials = 2,
}

public static class AuthTypes
{
    /// <summary>Whether accounts of this type hold an access token that the service renews.</summary>
    public static bool IssuesTokens(this AuthType type) => type is AuthType.OAuth2 or AuthType.ClientCredentials;

    /// <summary>Whether accounts of this type are connected with a form of fields rather than a consent in the browser.</summary>
    public static bool TakesFields(this AuthType type) => type is AuthType.Keys or AuthType.ClientCredentials;
}

/// <summary>How the service authenticates itself at an app's token endpoint (RFC 6749 §2.3.1).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenRequestAuth>))]
[GenerateSerializer, Alias("catalog.token-request-auth")]
public enum TokenRequestAuth
{
    [JsonStringEnumMemberName("client_secret_post")] ClientSecretPost = 0,
    [JsonStringEnumMemberName("client_secret_basic")] ClientSecretBasic = 1,
}

/// <summary>A supported app: everything needed to connect an account to it.</summary>
[GenerateSerializer, Alias("catalog.app"), Immutable]
public sealed record AppDefinition
{
    [Id(0)] public required string Slug { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string? Description { get; init; }
    [Id(3)] public IReadOnlyList<string> Categories { get; init; } = [];
    [Id(4)] public string? WebsiteUrl { get; init; }
    [Id(5)] public required string DocsUrl { get; init; }
    [Id(6)] public required AuthType AuthType { get; init; }
    [Id(7), JsonPropertyName("oauth")] public OAuthSettings? OAuth { get; init; }
    [Id(8)] public IReadOnlyList<KeyField> Fields { get; init; } = [];
    [Id(9)] public TestRequest? TestRequest { get; init; }
    /// <summary>Other slugs the app is known by; lookups by an alias resolve to this app.</summary>
    [Id(10)] public IReadOnlyList<string> Aliases { get; init; } = [];
    /// <summary>A disabled app stays readable (existing accounts keep working) but is hidden from listings.</summary>
    [Id(11)] public bool Disabled { get; init; }
    /// <summary>Where the app's API lives and how a call to it carries the account's credentials; null when the service cannot proxy it.</summary>
    [Id(12), JsonPropertyName("api")] public ApiSettings? Api { get; init; }
    /// <summary>Asked before connecting; they fill <c>{{name}}</c> in the app's URLs (<see cref="ConnectionUrls"/>).</summary>
    [Id(13)] public IReadOnlyList<ConnectionSetting> Settings { get; init; } = [];
    /// <summary>
    /// Hosts (and their subdomains) a URL may reach once a setting or a captured value fills its host. Without them a
    /// template's own literal tail (<c>.zendesk.com</c> after <c>{{subdomain}}</c>) is the only one allowed.
    /// </summary>
    [Id(14)] public IReadOnlyList<string> Hosts { get; init; } = [];
}

/// <summary>
/// The app's API, for calls the service makes on an account's behalf (the proxy). Its headers and query parameters are
/// templates in the test request's language (<c>{{field}}</c>, <c>{{basic:user:password}}</c>, and for OAuth apps
/// <c>{{access_token}}</c>), filled from the account: the credential, and whatever else every call needs (a version
/// header, an account id). An OAuth app whose templates do not place the access token sends it as
/// <c>Authorization: Bearer {{access_token}}</c>.
/// </summary>
[GenerateSerializer, Alias("catalog.api"), Immutable]
public sealed record ApiSettings
{
    /// <summary>Every proxied path is relative to this and can never leave it; placeholders may fill it (a subdomain).</summary>
    [Id(0)] public required string BaseUrl { get; init; }
    [Id(1)] public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    [Id(2)] public IReadOnlyDictionary<string, string> Query { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// The headers a call carries: those named, and for an OAuth app whose templates do not place the access token
    /// themselves, <c>Authorization: Bearer {{access_token}}</c> beside them (a version header alone must not leave the
    /// call without its credential).
    /// </summary>
    public IReadOnlyDictionary<string, string> HeadersFor(AuthType authType)
    {
        if (!authType.IssuesTokens() || Headers.Values.Concat(Query.Values).Any(t => t.Contains("{{access_token}}", StringComparison.Ordinal)))
            return Headers;
        return new Dictionary<string, string>(Headers, StringComparer.OrdinalIgnoreCase) { ["Authorization"] = "Bearer {{access_token}}" };
    }
}

/// <summary>OAuth 2.0 authorization-code settings of an app, with the quirks it needs.</summary>
[GenerateSerializer, Alias("catalog.oauth"), Immutable]
public sealed record OAuthSettings
{
    /// <summary>Where the person consents; empty for a client-credentials app, which has no consent.</summary>
    [Id(0)] public string AuthorizeUrl { get; init; } = "";
    [Id(1)] public required string TokenUrl { get; init; }
    [Id(2)] public string? RevokeUrl { get; init; }
    /// <summary>The authorization server's issuer identifier, checked against <c>iss</c> on the callback (RFC 9207).</summary>
    [Id(3)] public string? Issuer { get; init; }
    [Id(4)] public IReadOnlyList<string> DefaultScopes { get; init; } = [];
    [Id(5)] public string ScopeSeparator { get; init; } = " ";
    /// <summary>Extra query parameters for the authorize URL, e.g. <c>access_type=offline</c>.</summary>
    [Id(6)] public IReadOnlyDictionary<string, string> AuthorizeParameters { get; init; } = new Dictionary<string, string>();
    [Id(7)] public TokenRequestAuth TokenRequestAuth { get; init; } = TokenRequestAuth.ClientSecretPost;
    [Id(8)] public bool Pkce { get; init; } = true;
    /// <summary>Refresh this long before expiry; null means the service default.</summary>
    [Id(9)] public int? RefreshMarginSeconds { get; init; }
    [Id(10)] public TokenResponseQuirks? TokenResponse { get; init; }
    /// <summary>Where refresh tokens go when not to <see cref="TokenUrl"/> (Figma).</summary>
    [Id(11)] public string? RefreshUrl { get; init; }
    [Id(12)] public TokenRequestFormat TokenRequestFormat { get; init; } = TokenRequestFormat.Form;
    /// <summary>Extra parameters every token request carries (an <c>audience</c>, a <c>resource</c>); never one the service sets itself.</summary>
    [Id(13)] public IReadOnlyDictionary<string, string> TokenParameters { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Token-endpoint calls per minute the app allows across all its accounts; null for no limit. Refreshes ahead of
    /// expiry wait their turn while the token still works; one that cannot wait goes at once.
    /// </summary>
    [Id(14)] public int? TokenBudgetPerMinute { get; init; }
    /// <summary>The grant a client-credentials app takes when not <c>client_credentials</c> (Zoom's <c>account_credentials</c>).</summary>
    [Id(15)] public string? GrantType { get; init; }
}

/// <summary>Where an app's token response departs from RFC 6749 §5.1.</summary>
[GenerateSerializer, Alias("catalog.token-quirks"), Immutable]
public sealed record TokenResponseQuirks
{
    /// <summary>Dotted JSON path of the access token when it is nested (e.g. <c>authed_user.access_token</c>).</summary>
    [Id(0)] public string? AccessTokenPath { get; init; }
    [Id(1)] public string? RefreshTokenPath { get; init; }
    [Id(2)] public string? ScopePath { get; init; }
    /// <summary>Dotted JSON path of the upstream identity (user or tenant id) used to warn on a reconnect to another identity.</summary>
    [Id(3)] public string? IdentityPath { get; init; }
    /// <summary>Lifetime to assume when the response has no <c>expires_in</c>; null means the token does not expire.</summary>
    [Id(4)] public int? DefaultExpiresInSeconds { get; init; }
    /// <summary>Separator of the granted scopes in the response when it differs from the request's.</summary>
    [Id(5)] public string? ScopeSeparator { get; init; }
    /// <summary>
    /// Values to keep from the code exchange's answer, by name and dotted path (Salesforce's <c>instance_url</c>,
    /// Wrike's <c>host</c>): kept with the account, they fill <c>{{name}}</c> like a setting, under the same host rule.
    /// </summary>
    [Id(6)] public IReadOnlyDictionary<string, string> Captures { get; init; } = new Dictionary<string, string>();
    /// <summary>
    /// Dotted path of an absolute expiry when the app gives one instead of <c>expires_in</c>: seconds (or milliseconds)
    /// since 1970, or an ISO 8601 time.
    /// </summary>
    [Id(7)] public string? ExpiresAtPath { get; init; }
    /// <summary>Read the expiry from the access token's own <c>exp</c> when it is a JWT and the answer says nothing else.</summary>
    [Id(8)] public bool ExpiryFromJwt { get; init; }
    /// <summary>Dotted path of the error code when the app does not put it at <c>error</c> (<c>error.code</c>, <c>errors.0.code</c>).</summary>
    [Id(9)] public string? ErrorPath { get; init; }
}

/// <summary>How a token request's parameters are sent.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenRequestFormat>))]
[GenerateSerializer, Alias("catalog.token-request-format")]
public enum TokenRequestFormat
{
    /// <summary><c>application/x-www-form-urlencoded</c>, as RFC 6749 §4.1.3 asks.</summary>
    [JsonStringEnumMemberName("form")] Form = 0,
    /// <summary>A JSON object of strings, for the apps that take nothing else (Notion's own docs show both; a few only JSON).</summary>
    [JsonStringEnumMemberName("json")] Json = 1,
}

/// <summary>One value a key-based app asks for (an API key, a subdomain, …).</summary>
[GenerateSerializer, Alias("catalog.key-field"), Immutable]
public sealed record KeyField
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Label { get; init; }
    [Id(2)] public bool Secret { get; init; }
    /// <summary>A .NET regular expression the whole value must match.</summary>
    [Id(3)] public string? Pattern { get; init; }
    /// <summary>Where the user finds the value.</summary>
    [Id(4)] public string? HelpText { get; init; }
    [Id(5)] public bool Required { get; init; } = true;
    [Id(6)] public int MaxLength { get; init; } = KeyField.DefaultMaxLength;

    public const int DefaultMaxLength = 4096;

    /// <summary>
    /// What is wrong with a value for this field (null when it is fine): the rule the connector enforces, shared so
    /// a form can check as the person types. The message names the field and never echoes the value.
    /// </summary>
    public string? Check(string? value)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value)) return Required ? $"{Label} is required" : null;
        if (value.Length > MaxLength) return $"{Label} must be at most {MaxLength} characters";
        if (Text.PrintableText.HasHiddenCharacters(value))
            return $"{Label} must not contain control characters or line breaks";
        return Pattern is { } pattern && !WholeMatch.IsMatch(pattern, value) ? $"{Label} does not have the expected format" : null;
    }
}

/// <summary>A catalog pattern applied to a whole value, whatever anchors it uses ("^a|b$" must not pass "xb").</summary>
public static class WholeMatch
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(200);

    public static bool IsMatch(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, $@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, Timeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary>
/// A request that proves key fields work. <c>{{field}}</c> placeholders in the URL, headers and body are
/// replaced with the field values.
/// </summary>
[GenerateSerializer, Alias("catalog.test-request"), Immutable]
public sealed record TestRequest
{
    [Id(0)] public string Method { get; init; } = "GET";
    [Id(1)] public required string Url { get; init; }
    [Id(2)] public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    [Id(3)] public string? Body { get; init; }
    [Id(4)] public IReadOnlyList<int> SuccessStatuses { get; init; } = [200];
}

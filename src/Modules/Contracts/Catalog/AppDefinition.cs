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
    /// <summary>
    /// JWT bearer (RFC 7523 §2.1), as service accounts use it: the account holds a private key (a sealed key field), and
    /// the service signs a short assertion with it for each token request; no person consents, no refresh token.
    /// </summary>
    [JsonStringEnumMemberName("jwt_bearer")] JwtBearer = 3,
    /// <summary>
    /// OAuth 1.0a three-legged (RFC 5849): a request token, the person's consent, an access token and its secret, which
    /// never expire and are never refreshed. Every call is signed (HMAC-SHA1) with the app's consumer secret and the token
    /// secret, so steps call the app through the proxy, which signs.
    /// </summary>
    [JsonStringEnumMemberName("oauth1")] OAuth1 = 4,
}

public static class AuthTypes
{
    /// <summary>Whether accounts of this type hold an access token that the service renews.</summary>
    public static bool IssuesTokens(this AuthType type) => type is AuthType.OAuth2 or AuthType.ClientCredentials or AuthType.JwtBearer;

    /// <summary>Whether accounts of this type are connected with a form of fields rather than a consent in the browser.</summary>
    public static bool TakesFields(this AuthType type) => type is AuthType.Keys or AuthType.ClientCredentials or AuthType.JwtBearer;

    /// <summary>Whether accounts of this type are connected by a person's consent at the app, in a browser.</summary>
    public static bool Consents(this AuthType type) => type is AuthType.OAuth2 or AuthType.OAuth1;

    /// <summary>Whether the account's own fields get its tokens (no consent, no refresh token): it is its own client.</summary>
    public static bool FetchesOwnTokens(this AuthType type) => type is AuthType.ClientCredentials or AuthType.JwtBearer;
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
    /// <summary>The assertion a JWT-bearer app's token requests carry; required for that auth type, refused for others.</summary>
    [Id(16)] public JwtAssertionSettings? Assertion { get; init; }
    /// <summary>
    /// A call that trades the code exchange's short-lived token for a long-lived one, made once before the account is
    /// kept (Instagram's <c>ig_exchange_token</c>, Threads', Facebook's <c>fb_exchange_token</c>).
    /// </summary>
    [Id(17)] public TokenCallSettings? Exchange { get; init; }
    /// <summary>
    /// How an app with no refresh token renews a token that still works, with the token itself (Instagram's
    /// <c>ig_refresh_token</c>): it stands where a refresh token would, and its URL is what the token is pinned to.
    /// </summary>
    [Id(18)] public TokenCallSettings? Renewal { get; init; }
    /// <summary>
    /// OAuth 1.0a only: where the temporary credentials (the request token) come from (RFC 5849 §2.1). For those apps
    /// <see cref="TokenUrl"/> is where they are traded for the access token (§2.3).
    /// </summary>
    [Id(19)] public string? RequestTokenUrl { get; init; }
}

/// <summary>
/// A token call outside RFC 6749 (a long-lived exchange, a renewal): a fixed https URL, GET (parameters in the query)
/// or POST (a form), and parameters that are templates of <c>{{access_token}}</c>, <c>{{client_id}}</c> and
/// <c>{{client_secret}}</c>. Its answer is read like a token response, quirks included.
/// </summary>
[GenerateSerializer, Alias("catalog.token-call"), Immutable]
public sealed record TokenCallSettings
{
    public static readonly IReadOnlyList<string> Placeholders = ["access_token", "client_id", "client_secret"];

    [Id(0)] public required string Url { get; init; }
    [Id(1)] public string Method { get; init; } = "GET";
    [Id(2)] public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// How a JWT-bearer account's assertion (RFC 7523 §3) is made. Claims are templates in the test request's language,
/// filled from the account's non-secret fields: <c>{{client_email}}</c>, <c>{{user_id}}</c>.
/// </summary>
[GenerateSerializer, Alias("catalog.jwt-assertion"), Immutable]
public sealed record JwtAssertionSettings
{
    public const string DefaultGrantType = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    public const int MaxLifetimeSeconds = 3600;

    /// <summary>The <c>iss</c> claim: who the key belongs to (a service account's e-mail, an integration key).</summary>
    [Id(0)] public required string Issuer { get; init; }
    /// <summary>The <c>sub</c> claim when the app wants one (the user a DocuSign key acts for); none when null.</summary>
    [Id(1)] public string? Subject { get; init; }
    /// <summary>The <c>aud</c> claim; the token URL when null, as RFC 7523 §3 suggests.</summary>
    [Id(2)] public string? Audience { get; init; }
    /// <summary>RS256, RS384, RS512, PS256 or ES256, matching the key the app issued.</summary>
    [Id(3)] public string Algorithm { get; init; } = "RS256";
    /// <summary>The secret field holding the PEM private key.</summary>
    [Id(4)] public string KeyField { get; init; } = "private_key";
    /// <summary>A field whose value goes in the JWT header as <c>kid</c> (Google's <c>private_key_id</c>).</summary>
    [Id(5)] public string? KeyIdField { get; init; }
    /// <summary>Put the scopes in a <c>scope</c> claim (Google, DocuSign) rather than in the token request.</summary>
    [Id(6)] public bool ScopesInAssertion { get; init; }
    /// <summary>Seconds between <c>iat</c> and <c>exp</c>; apps refuse assertions that live long.</summary>
    [Id(7)] public int LifetimeSeconds { get; init; } = MaxLifetimeSeconds;
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
    /// <summary>What kind of value it is, when more than a line of text.</summary>
    [Id(7)] public KeyFieldFormat Format { get; init; }

    public const int DefaultMaxLength = 4096;

    /// <summary>
    /// The value as it is kept: trimmed (a pasted key often ends in a newline), and for a private key copied out of a
    /// JSON key file, with its <c>\n</c> escapes turned back into the line breaks PEM has.
    /// </summary>
    public string? Normalize(string? value)
    {
        value = value?.Trim();
        if (Format == KeyFieldFormat.PrivateKey && value is not null && !value.Contains('\n', StringComparison.Ordinal))
            value = value.Replace("\\n", "\n", StringComparison.Ordinal);
        return value;
    }

    /// <summary>
    /// What is wrong with a value for this field (null when it is fine): the rule the connector enforces, shared so
    /// a form can check as the person types. The message names the field and never echoes the value.
    /// </summary>
    public string? Check(string? value)
    {
        value = Normalize(value);
        if (string.IsNullOrEmpty(value)) return Required ? $"{Label} is required" : null;
        if (value.Length > MaxLength) return $"{Label} must be at most {MaxLength} characters";
        if (Format == KeyFieldFormat.PrivateKey)
            return PrivateKeys.Problem(value) is { } problem ? $"{Label} {problem}" : null;
        if (Text.PrintableText.HasHiddenCharacters(value))
            return $"{Label} must not contain control characters or line breaks";
        return Pattern is { } pattern && !WholeMatch.IsMatch(pattern, value) ? $"{Label} does not have the expected format" : null;
    }
}

/// <summary>What kind of value a key field holds.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KeyFieldFormat>))]
[GenerateSerializer, Alias("catalog.key-field-format")]
public enum KeyFieldFormat
{
    /// <summary>One line of printable text.</summary>
    [JsonStringEnumMemberName("text")] Text = 0,
    /// <summary>A PEM private key (PKCS#8, or PKCS#1 RSA, or SEC 1 EC), several lines; checked by reading it.</summary>
    [JsonStringEnumMemberName("private_key")] PrivateKey = 1,
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

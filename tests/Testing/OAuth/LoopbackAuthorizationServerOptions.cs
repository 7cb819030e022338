namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// What the <see cref="LoopbackAuthorizationServer"/> registers and how it behaves. Everything but the redirect URIs has a
/// default, so a test names only what it cares about.
/// </summary>
public sealed record LoopbackAuthorizationServerOptions
{
    /// <summary>The one confidential client; it authenticates with client_secret_post or client_secret_basic.</summary>
    public string ClientId { get; init; } = "accounts-test-client";

    public string ClientSecret { get; init; } = "accounts-test-secret";

    /// <summary>Exact redirect URIs the client may use (compared as strings, as OAuth requires).</summary>
    public required IReadOnlyList<string> RedirectUris { get; init; }

    /// <summary>
    /// Scopes the client may ask for. <c>offline_access</c> is always granted as well, so every code exchange returns a
    /// refresh token (as most real providers do for the code flow) without the client having to ask for it.
    /// </summary>
    public IReadOnlyList<string> Scopes { get; init; } = ["read", "write"];

    public TimeSpan AccessTokenLifetime { get; init; } = TimeSpan.FromMinutes(2);

    public TimeSpan RefreshTokenLifetime { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a refresh token that was already exchanged stays usable (for concurrent requests). <see langword="null"/>
    /// (the default) means never: the old token is refused at once, and, as OpenIddict treats that as token theft,
    /// presenting it again also revokes every token of the grant, the newest refresh token included.
    /// </summary>
    public TimeSpan? RefreshTokenReuseLeeway { get; init; }

    /// <summary>Adds the RFC 9207 <c>iss</c> parameter to authorization responses (and advertises it in the metadata).</summary>
    public bool SendIssuerOnCallback { get; init; }

    /// <summary>Every authorization request is answered with <c>error=access_denied</c>, as if the user said no.</summary>
    public bool DenyAuthorization { get; init; }

    /// <summary>The <c>sub</c> of the user who is signed in automatically.</summary>
    public string Subject { get; init; } = "user-1";

    /// <summary>
    /// Keys registered for the JWT-bearer grant (RFC 7523 §2.1), by the <c>iss</c> their assertions carry. With any,
    /// the token endpoint takes <c>grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer</c> without client
    /// authentication, as service accounts call it, and issues a token to the assertion's <c>sub</c> (or its issuer).
    /// </summary>
    public IReadOnlyDictionary<string, Microsoft.IdentityModel.Tokens.SecurityKey> ServiceAccounts { get; init; }
        = new Dictionary<string, Microsoft.IdentityModel.Tokens.SecurityKey>();

    /// <summary>The server's clock (token expiry, redemption); the system clock when not set.</summary>
    public TimeProvider? TimeProvider { get; init; }

    internal void Validate()
    {
        Require(!string.IsNullOrWhiteSpace(ClientId), nameof(ClientId), "must not be empty");
        Require(!string.IsNullOrEmpty(ClientSecret), nameof(ClientSecret), "must not be empty");
        Require(RedirectUris is { Count: > 0 }, nameof(RedirectUris), "needs at least one URI");
        foreach (var uri in RedirectUris)
        {
            Require(Uri.TryCreate(uri, UriKind.Absolute, out _), nameof(RedirectUris), $"'{uri}' is not an absolute URI");
        }
        Require(Scopes is not null && Scopes.All(s => !string.IsNullOrWhiteSpace(s) && !s.Contains(' ', StringComparison.Ordinal)),
            nameof(Scopes), "must be non-empty scope tokens without spaces");
        Require(AccessTokenLifetime > TimeSpan.Zero, nameof(AccessTokenLifetime), "must be positive");
        Require(RefreshTokenLifetime > TimeSpan.Zero, nameof(RefreshTokenLifetime), "must be positive");
        Require(RefreshTokenReuseLeeway is null || RefreshTokenReuseLeeway >= TimeSpan.Zero, nameof(RefreshTokenReuseLeeway), "must not be negative");
        Require(!string.IsNullOrWhiteSpace(Subject), nameof(Subject), "must not be empty");
    }

    private static void Require(bool condition, string name, string problem)
    {
        if (!condition) throw new ArgumentException($"{nameof(LoopbackAuthorizationServerOptions)}.{name} {problem}.", name);
    }
}

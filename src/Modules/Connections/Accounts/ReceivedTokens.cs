namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// Tokens from a code exchange, on their way into an account's envelope, with the values its app's URLs take from
/// then on (<see cref="Connection"/>: its settings and what the exchange captured; none of them a secret).
/// </summary>
[GenerateSerializer, Alias("accounts.received-tokens"), Immutable]
public sealed record ReceivedTokens(
    [property: Id(0)] string AccessToken,
    [property: Id(1)] string? RefreshToken,
    [property: Id(2)] string TokenType,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] IReadOnlyList<string> Scopes,
    [property: Id(5)] string? Identity,
    [property: Id(6)] IReadOnlyDictionary<string, string>? Connection = null,
    [property: Id(7)] string? TokenSecret = null)
{
    /// <summary>Tokens from a token response; what the app did not say (scopes, identity) is taken from <paramref name="scopes"/> and <paramref name="identity"/>.</summary>
    public static ReceivedTokens From(Tokens.TokenGrant grant, IReadOnlyList<string> scopes, string? identity)
        => new(grant.AccessToken, grant.RefreshToken, grant.TokenType, grant.ExpiresAt, grant.Scopes ?? scopes, grant.Identity ?? identity, TokenSecret: grant.TokenSecret);

    /// <summary>An OAuth 1.0a token comes with the secret that signs with it; an OAuth 2.0 token never does.</summary>
    public AuthType AuthType => TokenSecret is null ? AuthType.OAuth2 : AuthType.OAuth1;

    public override string ToString() => $"ReceivedTokens {{ ExpiresAt = {ExpiresAt}, Scopes = {string.Join(' ', Scopes)}, Identity = {Identity} }}";
}

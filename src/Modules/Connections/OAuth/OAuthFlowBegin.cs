namespace Accounts.Orleans.Connections.OAuth;

/// <summary>What the connector hands a new flow grain.</summary>
[GenerateSerializer, Alias("accounts.oauth-flow-begin"), Immutable]
public sealed record OAuthFlowBegin(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] string Actor,
    [property: Id(5)] string? ReconnectAccountId,
    [property: Id(6)] string? CodeVerifier,
    [property: Id(7)] string RedirectUri,
    [property: Id(8)] DateTimeOffset ExpiresAt,
    [property: Id(9)] string AuthorizeUrl,
    [property: Id(10)] string? ConnectSessionId = null,
    [property: Id(11)] IReadOnlyDictionary<string, string>? Settings = null,
    [property: Id(12)] OAuth1RequestToken? RequestToken = null)
{
    public override string ToString() => $"OAuthFlowBegin {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug} }}";
}

/// <summary>An OAuth 1.0a consent's temporary credentials (RFC 5849 §2.1): the token names the consent, the secret signs its exchange.</summary>
[GenerateSerializer, Alias("accounts.oauth1-request-token"), Immutable]
public sealed record OAuth1RequestToken([property: Id(0)] string Token, [property: Id(1)] string Secret)
{
    public override string ToString() => "OAuth1RequestToken { *** }";
}

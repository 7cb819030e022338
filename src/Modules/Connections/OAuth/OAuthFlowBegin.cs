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
    [property: Id(11)] IReadOnlyDictionary<string, string>? Settings = null)
{
    public override string ToString() => $"OAuthFlowBegin {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug} }}";
}

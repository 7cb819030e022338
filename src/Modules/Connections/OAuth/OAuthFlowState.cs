namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// A pending authorization. Its one secret (the PKCE verifier, or an OAuth 1.0a request token's secret) is sealed like
/// any credential; the rest is not secret.
/// </summary>
[GenerateSerializer, Alias("accounts.oauth-flow-state-stored")]
public sealed class OAuthFlowState
{
    [Id(0)] public string? WorkspaceId { get; set; }
    [Id(1)] public string AppSlug { get; set; } = "";
    [Id(2)] public string Nickname { get; set; } = "";
    [Id(3)] public List<string> Scopes { get; set; } = [];
    [Id(4)] public string Actor { get; set; } = "";
    [Id(5)] public string? ReconnectAccountId { get; set; }
    [Id(6)] public byte[]? SealedVerifier { get; set; }
    [Id(7)] public string RedirectUri { get; set; } = "";
    [Id(8)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(9)] public OAuthFlowStatus Status { get; set; }
    [Id(10)] public string? AccountId { get; set; }
    [Id(11)] public string? Message { get; set; }
    [Id(12)] public string? ConnectSessionId { get; set; }
    /// <summary>The app's authorize URL (with the PKCE challenge, never the verifier), handed to one browser.</summary>
    [Id(13)] public string AuthorizeUrl { get; set; } = "";
    [Id(14)] public bool OpenedInBrowser { get; set; }
    /// <summary>The connection settings the consent is asked under; they become the account's.</summary>
    [Id(15)] public Dictionary<string, string> Settings { get; set; } = new(StringComparer.Ordinal);
    /// <summary>OAuth 1.0a: the request token the app's answer must name; its secret is what <see cref="SealedVerifier"/> holds.</summary>
    [Id(16)] public string? RequestToken { get; set; }
}

using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>The authorize URL of one flow (RFC 6749 §4.1.1) with its state and PKCE S256 challenge (RFC 7636).</summary>
public static class AuthorizationRequest
{
    /// <summary>A 43-character verifier (the RFC's minimum length, 256 bits of entropy).</summary>
    public static string NewVerifier() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    public static string BuildUrl(AppDefinition app, string clientId, string redirectUri, IReadOnlyList<string> scopes, string state, string? codeVerifier)
    {
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} is not an OAuth app.");
        var query = new List<KeyValuePair<string, string>>
        {
            new("response_type", "code"),
            new("client_id", clientId),
            new("redirect_uri", redirectUri),
            new("state", state),
        };
        if (scopes.Count > 0) query.Add(new("scope", string.Join(oauth.ScopeSeparator, scopes)));
        if (codeVerifier is not null)
        {
            query.Add(new("code_challenge", Challenge(codeVerifier)));
            query.Add(new("code_challenge_method", "S256"));
        }
        query.AddRange(oauth.AuthorizeParameters);
        var separator = oauth.AuthorizeUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return oauth.AuthorizeUrl + separator + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>
    /// Where the person consents to an OAuth 1.0a request token (RFC 5849 §2.2): the app's authorize URL with the token
    /// and the app's own parameters (the access and lifetime Trello asks for, Flickr's <c>perms</c>).
    /// </summary>
    public static string BuildOAuth1Url(AppDefinition app, string requestToken)
    {
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} is not an OAuth app.");
        var query = new List<KeyValuePair<string, string>> { new("oauth_token", requestToken) };
        query.AddRange(oauth.AuthorizeParameters);
        var separator = oauth.AuthorizeUrl.Contains('?', StringComparison.Ordinal) ? "&" : "?";
        return oauth.AuthorizeUrl + separator + string.Join("&", query.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
    }

    /// <summary>
    /// The address an OAuth 1.0a app sends the person back to: the service's callback carrying the flow's state, which
    /// the protocol has no parameter for. Apps keep the callback's query and add <c>oauth_token</c> and <c>oauth_verifier</c>.
    /// </summary>
    public static string OAuth1Callback(string redirectUri, string state)
        => redirectUri + (redirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "state=" + Uri.EscapeDataString(state);

    /// <summary>The app's default scopes plus the requested extra ones, each once, in order.</summary>
    public static IReadOnlyList<string> Scopes(AppDefinition app, IReadOnlyList<string>? extra)
        => (app.OAuth?.DefaultScopes ?? []).Concat(extra ?? []).Distinct(StringComparer.Ordinal).ToArray();
}

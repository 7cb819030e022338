using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Connections;

/// <summary>
/// Ties an OAuth flow to the browser that opened it: that browser gets a <c>__Host-</c> cookie holding a tag of the
/// flow's state that only the cluster can make, and the callback completes the flow only where the tag matches. A
/// consent link mailed to someone else lands at a callback without the cookie and connects nothing; a made-up state is
/// refused by the tag alone, before any grain or storage is touched. One cookie per flow, so two tabs may each connect.
/// </summary>
public sealed class OAuthBrowserBinding(ClusterMac mac)
{
    private const string Purpose = "oauth-browser";
    private const string CookiePrefix = "__Host-oauth-";

    /// <summary>The Host's page that binds the flow of <paramref name="state"/> and goes on to the app.</summary>
    public static string StartUrl(string connectPageUrl, string state) => $"{connectPageUrl.TrimEnd('/')}/oauth?flow={state}";

    /// <summary>The cookie of this flow: a short name derived from the state, so the state itself is not in a header twice.</summary>
    public static string CookieName(string state)
        => CookiePrefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(state)).AsSpan(0, 8));

    /// <summary>What the binding cookie of <paramref name="state"/> holds.</summary>
    public string Tag(string state) => mac.Sign(Purpose, state);

    /// <summary>Whether <paramref name="cookie"/> is this cluster's tag of <paramref name="state"/>.</summary>
    public bool Matches(string state, string? cookie) => OAuthState.IsWellFormed(state) && cookie is { Length: > 0 and < 128 } && mac.Verify(Purpose, state, cookie);
}

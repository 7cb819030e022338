using System.Globalization;
using System.Text;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// The tokens an app issued (RFC 6749 §5.1). A null <see cref="RefreshToken"/> or <see cref="Scopes"/> means the app
/// did not say, so the caller keeps what it had; a null <see cref="ExpiresAt"/> means the token does not expire.
/// <see cref="TokenSecret"/> is an OAuth 1.0a token's secret, which signs every call with it.
/// </summary>
public sealed record TokenGrant(
    string AccessToken,
    string? RefreshToken,
    DateTimeOffset? ExpiresAt,
    IReadOnlyList<string>? Scopes,
    string TokenType,
    string? Identity,
    IReadOnlyDictionary<string, string>? Captured = null,
    string? TokenSecret = null)
{
    /// <summary>
    /// This grant with the token another call traded it for (a long-lived one, a renewed one): the new token, lifetime
    /// and type, and a refresh token only if the trade gave one; who granted what, and what was captured, stay.
    /// </summary>
    public TokenGrant TradedFor(TokenGrant traded) => this with
    {
        AccessToken = traded.AccessToken,
        ExpiresAt = traded.ExpiresAt,
        TokenType = traded.TokenType,
        RefreshToken = traded.RefreshToken ?? RefreshToken,
        Scopes = traded.Scopes ?? Scopes,
    };

    // The generated ToString would print both tokens into any log line or exception message that shows a grant.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("AccessToken = ***, RefreshToken = ").Append(RefreshToken is null ? "null" : "***")
            .Append(", ExpiresAt = ").Append(ExpiresAt?.ToString("O", CultureInfo.InvariantCulture) ?? "null")
            .Append(", Scopes = ").Append(Scopes is null ? "null" : string.Join(' ', Scopes))
            .Append(", TokenType = ").Append(TokenType)
            .Append(", Identity = ").Append(Identity ?? "null")
            .Append(", Captured = ").Append(Captured is null ? "null" : string.Join(' ', Captured.Keys))
            .Append(", TokenSecret = ").Append(TokenSecret is null ? "null" : "***");
        return true;
    }
}

/// <summary>What has to happen before the next call to the token endpoint can succeed.</summary>
public enum TokenFailureKind
{
    /// <summary>The grant is gone (revoked, expired, already used): only the user can fix it, by connecting again.</summary>
    NeedsReconnect,
    /// <summary>The app rejects the service itself (client id, secret, redirect URI, grant type, scopes): the operator fixes it.</summary>
    ClientMisconfigured,
    /// <summary>The app is overloaded or down: the same request may succeed later.</summary>
    Transient,
    /// <summary>The answer cannot be understood; retrying will not change it and nobody knows who should act.</summary>
    Malformed,
}

/// <summary>
/// Why a call to the token endpoint failed. <see cref="Reason"/> is a short sentence for operators; it never holds
/// a token or the raw response body, so it may be logged and shown. <see cref="Unanswered"/> says no answer arrived
/// (unreachable, timed out): the app may have acted on the request all the same, e.g. rotated a refresh token.
/// </summary>
public sealed record TokenFailure(TokenFailureKind Kind, string? ErrorCode, string Reason, TimeSpan? RetryAfter, bool Unanswered = false);

/// <summary>The outcome of one call to a token endpoint: a grant or a classified failure, never both.</summary>
public abstract record TokenResult
{
    // Closed: the two cases below are the only results a caller has to handle.
    private TokenResult() { }

    public sealed record Success(TokenGrant Grant) : TokenResult;

    public sealed record Failed(TokenFailure Failure) : TokenResult;
}

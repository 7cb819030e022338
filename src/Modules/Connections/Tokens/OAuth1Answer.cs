using System.Text;
using Accounts.Orleans.Contracts.Text;
using static Accounts.Orleans.Connections.Tokens.TokenFailureKind;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// Reads an OAuth 1.0a token answer (RFC 5849 §2.1 and §2.3): a form of <c>oauth_token</c>, <c>oauth_token_secret</c>
/// and whatever the app adds (Flickr's <c>user_nsid</c>). Never throws for what the app sent.
/// </summary>
public static class OAuth1Answer
{
    private const int MaxValueLength = 4096;

    /// <param name="confirmCallback">A request token answer: OAuth 1.0a requires <c>oauth_callback_confirmed=true</c>, which a 1.0 server never sends.</param>
    public static TokenResult Parse(TokenHttpResponse response, TokenResponseQuirks? quirks, bool confirmCallback)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.StatusCode;
        if (status is >= 300 and <= 399) return Fail(Malformed, $"the app redirected (HTTP {status}); redirects are not followed");
        if (status is 408 or 429 or (>= 500 and <= 599)) return new TokenResult.Failed(new TokenFailure(Transient, null, $"the app answered HTTP {status}", response.RetryAfter));
        if (response.Truncated) return Fail(Malformed, $"the answer exceeded {TokenHttpResponse.MaxBodyBytes / 1024} KiB");
        if (Read(response) is not { } values) return Fail(Malformed, "the answer is not a form, or names a parameter twice");
        if (status is not (>= 200 and <= 299))
        {
            // The Problem Reporting extension's code (signature_invalid, token_rejected) says what; anything else is not repeated.
            var problem = values.GetValueOrDefault("oauth_problem") is { } code && IsCode(code) ? $" ({code})" : "";
            var kind = status is 400 or 401 or 403 ? (confirmCallback ? ClientMisconfigured : NeedsReconnect) : Malformed;
            return Fail(kind, $"the app answered HTTP {status}{problem}");
        }
        if (values.GetValueOrDefault("oauth_token") is not { Length: > 0 } token || values.GetValueOrDefault("oauth_token_secret") is not { } secret)
            return Fail(Malformed, "the answer has no oauth_token and oauth_token_secret");
        if (!IsClean(token) || !IsClean(secret)) return Fail(Malformed, "the token or its secret has characters that cannot be sent in a header");
        if (confirmCallback && values.GetValueOrDefault("oauth_callback_confirmed") != "true")
            return Fail(ClientMisconfigured, "the app did not confirm the callback, so it does not speak OAuth 1.0a");
        var captured = quirks?.Captures
            .Where(c => values.TryGetValue(c.Value, out var value) && IsClean(value))
            .ToDictionary(c => c.Key, c => values[c.Value], StringComparer.Ordinal);
        var identity = quirks?.IdentityPath is { } path && values.GetValueOrDefault(path) is { Length: > 0 } id && IsClean(id) ? id : null;
        return new TokenResult.Success(new TokenGrant(token, RefreshToken: null, ExpiresAt: null, Scopes: null, OAuth1Signature.Scheme, identity,
            captured is { Count: > 0 } ? captured : null, TokenSecret: secret));
    }

    private static Dictionary<string, string>? Read(TokenHttpResponse response)
    {
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(response.Body.Span);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in OAuth1Signature.FormOf(text.Trim()))
            if (!values.TryAdd(name, value)) return null;
        return values;
    }

    private static bool IsClean(string value) => value.Length <= MaxValueLength && !PrintableText.HasHiddenCharacters(value) && value.All(c => c is >= ' ' and <= '~');

    private static bool IsCode(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static TokenResult.Failed Fail(TokenFailureKind kind, string reason) => new(new TokenFailure(kind, null, reason, null));
}

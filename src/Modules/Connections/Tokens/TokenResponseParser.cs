using System.Buffers;
using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using static Accounts.Orleans.Connections.Tokens.TokenFailureKind;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// Reads what a token endpoint answered (RFC 6749 §5.1, §5.2, §6) into a grant or a classified failure, tolerating
/// the ways real apps depart from the RFC. Never throws for any response: the app is outside our control.
/// </summary>
public static class TokenResponseParser
{
    public const int MaxJsonDepth = 32;

    /// <summary>Longer lifetimes are clamped: "expires in 10^15 seconds" means "does not expire soon", not a date past year 9999.</summary>
    public static readonly TimeSpan LongestLifetime = TimeSpan.FromDays(3650);

    private const string DefaultAccessTokenPath = "access_token";

    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = MaxJsonDepth, AllowDuplicateProperties = false };
    private static readonly JsonDocumentOptions Lenient = new() { MaxDepth = MaxJsonDepth };

    /// <summary>
    /// What each error code asks of us. The RFC 6749 §5.2 codes, the OpenID Connect codes some token endpoints
    /// return (Microsoft Entra), and the synonyms of apps that answer with their own codes (GitHub, Slack).
    /// Anything else is <see cref="Malformed"/>: guessing "reconnect" for an unknown code would send users to
    /// reconnect for a fault that is ours or the app's.
    /// </summary>
    private static readonly FrozenDictionary<string, TokenFailureKind> ErrorCodes = new Dictionary<string, TokenFailureKind>
    {
        ["invalid_grant"] = NeedsReconnect,
        ["interaction_required"] = NeedsReconnect,
        ["login_required"] = NeedsReconnect,
        ["consent_required"] = NeedsReconnect,
        ["bad_verification_code"] = NeedsReconnect,   // GitHub: the code is wrong, expired or used
        ["bad_refresh_token"] = NeedsReconnect,       // GitHub: the refresh token is wrong or expired
        ["invalid_code"] = NeedsReconnect,            // Slack
        ["invalid_refresh_token"] = NeedsReconnect,   // Slack

        ["invalid_client"] = ClientMisconfigured,
        ["unauthorized_client"] = ClientMisconfigured,
        ["unsupported_grant_type"] = ClientMisconfigured,
        // Our request asked for more than the grant covers: the app definition's scopes changed, not the user.
        ["invalid_scope"] = ClientMisconfigured,
        // Our request was malformed (missing or repeated parameter, two client authentication methods). The request
        // is built from the app definition (auth method, PKCE, redirect URI), so the operator is the one who can act;
        // neither a retry nor a reconnect changes it.
        ["invalid_request"] = ClientMisconfigured,
        ["incorrect_client_credentials"] = ClientMisconfigured,  // GitHub
        ["redirect_uri_mismatch"] = ClientMisconfigured,         // GitHub
        ["invalid_client_id"] = ClientMisconfigured,             // Slack
        ["bad_client_secret"] = ClientMisconfigured,             // Slack
        ["bad_redirect_uri"] = ClientMisconfigured,              // Slack
        ["invalid_grant_type"] = ClientMisconfigured,            // Slack

        ["temporarily_unavailable"] = Transient,
        ["server_error"] = Transient,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static TokenResult Parse(
        TokenHttpResponse response,
        TokenResponseQuirks? quirks,
        string requestedScopeSeparator,
        DateTimeOffset now,
        string? sentRefreshToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        var status = response.StatusCode;

        // Decided by the status alone: a gateway's 503 page or a redirect's body says nothing about the grant.
        if (status is >= 300 and <= 399)
            return Fail(Malformed, $"the token endpoint redirected (HTTP {status}); redirects are not followed");
        if (status is 408 or 429 or (>= 500 and <= 599))
            return Fail(Transient, $"the app answered HTTP {status}", retryAfter: response.RetryAfter);
        if (status is not ((>= 200 and <= 299) or (>= 400 and <= 499)))
            return Fail(Malformed, $"the app answered HTTP {status}");
        if (response.Truncated)
            return Fail(Malformed, $"the response exceeded {TokenHttpResponse.MaxBodyBytes / 1024} KiB");

        try
        {
            using var document = Read(response, out var unreadable);
            return document is null
                ? WithoutErrorCode(status, unreadable)
                : Interpret(document.RootElement, response, quirks, requestedScopeSeparator, now, sentRefreshToken);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Malformed escapes (a lone "\ud800") pass parsing and only fail when a string is read.
            return WithoutErrorCode(status, $"the response was not JSON ({MediaType(response.ContentType)})");
        }
    }

    private static TokenResult Interpret(
        JsonElement root, TokenHttpResponse response, TokenResponseQuirks? quirks,
        string requestedScopeSeparator, DateTimeOffset now, string? sentRefreshToken)
    {
        var status = response.StatusCode;
        var tokenPath = string.IsNullOrWhiteSpace(quirks?.AccessTokenPath) ? DefaultAccessTokenPath : quirks.AccessTokenPath;
        _ = TryFind(root, tokenPath, out var token);   // Undefined when absent
        var isSuccess = status is >= 200 and <= 299;

        if (isSuccess && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } accessToken)
            return Grant(root, tokenPath, accessToken, quirks, requestedScopeSeparator, now);

        // Some apps answer 200 with an error (Slack: {"ok":false,"error":"invalid_code"}; GitHub: error=... as a form).
        if (FromErrorCode(root, quirks?.ErrorPath, response.RetryAfter, sentRefreshToken) is { } failure)
            return failure;
        return token.ValueKind switch
        {
            _ when !isSuccess => WithoutErrorCode(status, ""),
            JsonValueKind.Undefined or JsonValueKind.Null => Fail(Malformed, "the response has no access token"),
            JsonValueKind.String => Fail(Malformed, "the access token is empty"),
            _ => Fail(Malformed, "the access token is not a string"),
        };
    }

    private static TokenResult Grant(
        JsonElement root, string tokenPath, string accessToken, TokenResponseQuirks? quirks,
        string requestedScopeSeparator, DateTimeOffset now)
    {
        if (!IsHeaderSafe(accessToken))
            return Fail(Malformed, "the access token has characters that cannot be sent in a header");

        // A token's fields sit beside it unless a quirk points elsewhere: at the top for RFC apps, inside
        // "authed_user" for Slack's user token, whose lifetime and refresh token live there too.
        var nested = tokenPath.Contains('.', StringComparison.Ordinal);
        var home = nested && TryFind(root, tokenPath[..tokenPath.LastIndexOf('.')], out var parent) && parent.ValueKind == JsonValueKind.Object
            ? parent
            : root;

        // Only a top-level token_type describes the token per RFC 6749 §7.1. Beside a nested token it is the app's
        // own word (Slack says "user" or "bot"), and the top-level one may describe a different token.
        var tokenType = nested ? "Bearer" : TokenType(home);
        if (tokenType is null || !tokenType.Equals("Bearer", StringComparison.OrdinalIgnoreCase))
            return Fail(Malformed, $"unsupported token type {Shown(tokenType, "(not a string)")}");

        if (!TryLifetime(home, out var lifetime))
            return Fail(Malformed, "expires_in is not a number");
        if (lifetime is null && !string.IsNullOrWhiteSpace(quirks?.ExpiresAtPath) && TryFind(root, quirks.ExpiresAtPath, out var expiresAt)
            && expiresAt.ValueKind != JsonValueKind.Null)
        {
            if (!TryInstant(expiresAt, out var at)) return Fail(Malformed, "the expiry time is neither a number of seconds since 1970 nor an ISO 8601 time");
            lifetime = at <= now ? TimeSpan.Zero : Clamp((at - now).TotalSeconds);
        }
        if (lifetime is null && quirks?.ExpiryFromJwt == true && JwtExpiry(accessToken) is { } exp)
            lifetime = exp <= now ? TimeSpan.Zero : Clamp((exp - now).TotalSeconds);
        lifetime ??= quirks?.DefaultExpiresInSeconds is > 0 and var seconds ? Clamp(seconds) : null;

        var refreshPath = quirks?.RefreshTokenPath;
        var refreshFound = string.IsNullOrWhiteSpace(refreshPath)
            ? home.TryGetProperty("refresh_token", out var refresh)
            : TryFind(root, refreshPath, out refresh);
        string? refreshToken = null;
        if (refreshFound && refresh.ValueKind != JsonValueKind.Null)
        {
            if (refresh.ValueKind != JsonValueKind.String)
                return Fail(Malformed, "the refresh token is not a string");
            // An empty refresh token is no refresh token: the caller keeps the one it has.
            refreshToken = refresh.GetString() is { Length: > 0 } value ? value : null;
            if (refreshToken is not null && !IsHeaderSafe(refreshToken))
                return Fail(Malformed, "the refresh token has characters that cannot be sent in a request");
        }

        var scopePath = quirks?.ScopePath;
        var scopeFound = string.IsNullOrWhiteSpace(scopePath)
            ? home.TryGetProperty("scope", out var scope)
            : TryFind(root, scopePath, out scope);
        var separator = quirks?.ScopeSeparator is { Length: > 0 } own ? own
            : requestedScopeSeparator is { Length: > 0 } ? requestedScopeSeparator
            : " ";
        if (!TryScopes(scopeFound ? scope : default, separator, out var scopes))
            return Fail(Malformed, "the granted scope is neither a string nor a list of strings");

        return new TokenResult.Success(new TokenGrant(
            accessToken,
            refreshToken,
            lifetime is { } l ? Later(now, l) : null,
            scopes,
            "Bearer",
            Identity(root, quirks?.IdentityPath),
            Captured(root, quirks?.Captures)));
    }

    /// <summary>
    /// The values the app's entry keeps from the answer, as text; one that is absent, not a string or number, or not one
    /// clean line is left out, and whatever URL needs it then refuses to be filled.
    /// </summary>
    private static Dictionary<string, string>? Captured(JsonElement root, IReadOnlyDictionary<string, string>? captures)
    {
        if (captures is not { Count: > 0 }) return null;
        var captured = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, path) in captures)
        {
            if (Identity(root, path) is { Length: <= ConnectionSetting.MaxLength * 8 } value && !Contracts.Text.PrintableText.HasHiddenCharacters(value))
                captured[name] = value;
        }
        return captured;
    }

    private static TokenResult.Failed? FromErrorCode(JsonElement root, string? errorPath, TimeSpan? retryAfter, string? sentRefreshToken)
    {
        var found = string.IsNullOrWhiteSpace(errorPath) ? root.TryGetProperty("error", out var error) : TryFind(root, errorPath, out error);
        if (!found || error.ValueKind != JsonValueKind.String
            || error.GetString() is not { Length: > 0 } code)
            return null;

        // Only the code is kept, with the service's own words for it: the app's error_description is its text, which may
        // echo what we sent it (a refresh token, a client secret, in any encoding), so it is neither stored nor shown.
        // The code gets the RFC's character set, a length limit and a check against our secret.
        if (code.Length > 64 || !IsErrorCodeText(code)
            || (!string.IsNullOrEmpty(sentRefreshToken) && code.Contains(sentRefreshToken, StringComparison.Ordinal)))
            return Fail(Malformed, "the app answered an error code that cannot be shown");
        if (!ErrorCodes.TryGetValue(code, out var kind))
            return Fail(Malformed, $"the app answered the unknown error code {code}", code);
        return Fail(kind, $"the app answered {code}", code, kind == Transient ? retryAfter : null);
    }

    /// <summary>A failure the body gives no code for; <paramref name="successProblem"/> says what was wrong with a 2xx body.</summary>
    private static TokenResult.Failed WithoutErrorCode(int status, string successProblem) => status switch
    {
        >= 200 and <= 299 => Fail(Malformed, successProblem),
        // RFC 6749 §5.2: a client that fails to authenticate gets 401; some apps send it with no body at all.
        401 => Fail(ClientMisconfigured, "the app answered HTTP 401 without an error code"),
        _ => Fail(Malformed, $"the app answered HTTP {status} without an error code"),
    };

    private static TokenResult.Failed Fail(TokenFailureKind kind, string reason, string? errorCode = null, TimeSpan? retryAfter = null)
        => new(new TokenFailure(kind, errorCode, reason, retryAfter is { Ticks: > 0 } ? retryAfter : null));

    /// <summary>The body as a JSON object, or null and the sentence that says why not.</summary>
    private static JsonDocument? Read(TokenHttpResponse response, out string unreadable)
    {
        var body = response.Body;
        if (body.Span.StartsWith("\uFEFF"u8))
            body = body[3..];
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            unreadable = "the response was empty";
            return null;
        }

        // GitHub answers form-encoded unless asked for JSON. Other content types, missing or wrong ones included
        // (some apps label JSON text/plain), are tried as JSON.
        var mediaType = MediaType(response.ContentType);
        var document = mediaType == "application/x-www-form-urlencoded" && !body.Span.TrimStart(" \t\r\n"u8).StartsWith("{"u8)
            ? FormAsJson(body.Span, out unreadable)
            : ParseJson(body, mediaType, out unreadable);
        if (document is { RootElement.ValueKind: not JsonValueKind.Object })
        {
            document.Dispose();
            unreadable = "the response was not a JSON object";
            return null;
        }
        return document;
    }

    private static JsonDocument? ParseJson(ReadOnlyMemory<byte> body, string mediaType, out string unreadable)
    {
        unreadable = $"the response was not JSON ({mediaType})";
        // JSON is UTF-8 (RFC 8259 §8.1); checking up front means no string read later can fail to transcode.
        if (!Utf8.IsValid(body.Span))
            return null;
        try
        {
            return JsonDocument.Parse(body, Strict);
        }
        catch (JsonException)
        {
        }
        // Repeated members are refused so that we and any proxy in between cannot read different tokens from one
        // body; the second parse only tells that case apart for the operator.
        try
        {
            JsonDocument.Parse(body, Lenient).Dispose();
            unreadable = "the response repeats a member";
        }
        catch (JsonException)
        {
        }
        return null;
    }

    /// <summary>
    /// A form-encoded body rewritten as a flat JSON object, so one reader serves both. Bytes that are not UTF-8
    /// become U+FFFD instead of failing the body: the error code next to a stray Latin-1 description still counts.
    /// </summary>
    private static JsonDocument? FormAsJson(ReadOnlySpan<byte> body, out string unreadable)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in Encoding.UTF8.GetString(body).Trim().Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var name = WebUtility.UrlDecode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? "" : WebUtility.UrlDecode(pair[(equals + 1)..]);
            if (name.Length > 0 && !fields.TryAdd(name, value))
            {
                unreadable = "the response repeats a member";
                return null;
            }
        }

        var json = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(json))
        {
            writer.WriteStartObject();
            foreach (var (name, value) in fields)
                writer.WriteString(name, value);
            writer.WriteEndObject();
        }
        unreadable = "";
        return JsonDocument.Parse(json.WrittenMemory, Strict);
    }

    private static string? TokenType(JsonElement home)
    {
        if (!home.TryGetProperty("token_type", out var type) || type.ValueKind == JsonValueKind.Null)
            return "Bearer";    // RFC 6749 makes it required, but many apps leave it out and mean Bearer.
        return type.ValueKind == JsonValueKind.String ? type.GetString() : null;
    }

    /// <summary>The lifetime from <c>expires_in</c>; null when absent or not positive (Mailchimp sends 0 for "never"). False when it is not a number.</summary>
    private static bool TryLifetime(JsonElement home, out TimeSpan? lifetime)
    {
        lifetime = null;
        if (!home.TryGetProperty("expires_in", out var value) || value.ValueKind == JsonValueKind.Null)
            return true;

        var seconds = 0d;
        var isNumber = value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDouble(out seconds),
            JsonValueKind.String => double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out seconds),
            _ => false,
        };
        if (!isNumber || !double.IsFinite(seconds))
            return false;
        if (seconds > 0)
            lifetime = Clamp(seconds);
        return true;
    }

    /// <summary>An absolute time: seconds since 1970 (milliseconds when the number is too large for seconds), or ISO 8601.</summary>
    private static bool TryInstant(JsonElement value, out DateTimeOffset at)
    {
        at = default;
        double number;
        switch (value.ValueKind)
        {
            case JsonValueKind.Number when value.TryGetDouble(out number):
                break;
            case JsonValueKind.String when double.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number):
                break;
            case JsonValueKind.String:
                return DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at);
            default:
                return false;
        }
        if (!double.IsFinite(number) || number <= 0) return false;
        // Past 10^11 seconds is the year 5138: such a number is milliseconds.
        var seconds = number > 1e11 ? number / 1000 : number;
        if (seconds >= DateTimeOffset.MaxValue.ToUnixTimeSeconds()) return false;
        at = DateTimeOffset.FromUnixTimeMilliseconds((long)(seconds * 1000));
        return true;
    }

    /// <summary>
    /// The <c>exp</c> of a token that is a JWT, read without checking its signature: it only decides when to refresh,
    /// and a token that lies about it is refused by the app, which a refresh then repairs.
    /// </summary>
    private static DateTimeOffset? JwtExpiry(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length is 0 or > 8192) return null;
        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + (4 - payload.Length % 4) % 4, '=');
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload), Strict);
            return claims.RootElement.ValueKind == JsonValueKind.Object && claims.RootElement.TryGetProperty("exp", out var exp)
                   && exp.ValueKind == JsonValueKind.Number && TryInstant(exp, out var at) ? at : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static TimeSpan Clamp(double seconds)
        => seconds >= LongestLifetime.TotalSeconds ? LongestLifetime : TimeSpan.FromSeconds(seconds);

    private static DateTimeOffset Later(DateTimeOffset now, TimeSpan lifetime)
        => DateTimeOffset.MaxValue - now <= lifetime ? DateTimeOffset.MaxValue : now + lifetime;

    /// <summary>The granted scopes: null when the app did not say (the caller keeps the requested ones). False when unreadable.</summary>
    private static bool TryScopes(JsonElement scope, string separator, out IReadOnlyList<string>? scopes)
    {
        scopes = null;
        switch (scope.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                scopes = Distinct(scope.GetString()!.Split(separator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                return true;
            case JsonValueKind.Array when scope.EnumerateArray().All(s => s.ValueKind == JsonValueKind.String):
                scopes = Distinct(scope.EnumerateArray().Select(s => s.GetString()!.Trim()).Where(s => s.Length > 0));
                return true;
            default:
                return false;
        }
    }

    private static string[] Distinct(IEnumerable<string> scopes) => scopes.Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>The upstream identity as text; ids are often numbers (GitHub's user id), kept exactly as written.</summary>
    private static string? Identity(JsonElement root, string? path)
    {
        if (string.IsNullOrWhiteSpace(path) || !TryFind(root, path, out var value))
            return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString() is { Length: > 0 } id ? id : null,
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
    }

    /// <summary>Follows a dotted path (<c>authed_user.access_token</c>); a numeric segment indexes an array.</summary>
    private static bool TryFind(JsonElement start, string path, out JsonElement found)
    {
        found = start;
        foreach (var segment in path.Split('.'))
        {
            if (found.ValueKind == JsonValueKind.Object && segment.Length > 0 && found.TryGetProperty(segment, out var member))
                found = member;
            else if (found.ValueKind == JsonValueKind.Array
                && int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index)
                && index < found.GetArrayLength())
                found = found[index];
            else
            {
                found = default;
                return false;
            }
        }
        return true;
    }

    /// <summary>The media type without parameters, fit for a reason: it comes from the app, so it is checked like any app text.</summary>
    private static string MediaType(string? contentType)
    {
        var mediaType = contentType?.Split(';', 2)[0].Trim().ToLowerInvariant();
        return string.IsNullOrEmpty(mediaType) ? "no content type" : Shown(mediaType, "an unreadable content type");
    }

    private static string Shown(string? text, string otherwise)
        => text is { Length: > 0 and <= 64 } && text.All(c => c is > ' ' and <= '~') ? text : otherwise;

    // RFC 6750 §2.1 allows fewer characters, but real tokens use more (Salesforce's contain '!'). What matters
    // is that the token cannot break the header it goes into: no spaces, no control characters, ASCII only.
    private static bool IsHeaderSafe(string token) => token.All(c => c is > ' ' and <= '~');

    // RFC 6749 §5.2: error = 1*( %x20-21 / %x23-5B / %x5D-7E ).
    private static bool IsErrorCodeText(string code) => code.All(c => PrintableText.IsPrintableAscii(c) && c is not '"' and not '\\');
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// OAuth 1.0a request signing (RFC 5849 §3) with HMAC-SHA1, the one method every OAuth 1.0a app accepts. What is signed
/// is the method, the address without its query, and every parameter: the query's, the form body's (when the body is a
/// form) and the protocol's own, so neither can be changed on the way without the app noticing.
/// </summary>
public static class OAuth1Signature
{
    public const string Method = "HMAC-SHA1";
    public const string Scheme = "OAuth";

    /// <summary>Who signs: the service's client at the app (the consumer) and, once there is one, the token and its secret.</summary>
    public sealed record Signer(string ConsumerKey, string ConsumerSecret, string? Token, string? TokenSecret)
    {
        public override string ToString() => $"Signer {{ ConsumerKey = {ConsumerKey}, Token = {(Token is null ? "null" : "***")} }}";
    }

    /// <summary>
    /// The <c>Authorization</c> header's parameters (after <c>OAuth </c>) for one request. <paramref name="protocol"/>
    /// adds what a step of the flow sends (<c>oauth_callback</c>, <c>oauth_verifier</c>); <paramref name="form"/> is the
    /// body's parameters when the body is a form, and nothing otherwise.
    /// </summary>
    public static string Authorize(string method, Uri url, IEnumerable<KeyValuePair<string, string>> form, Signer signer,
        IEnumerable<KeyValuePair<string, string>> protocol, string nonce, DateTimeOffset now)
    {
        var oauth = new List<KeyValuePair<string, string>>
        {
            new("oauth_consumer_key", signer.ConsumerKey),
            new("oauth_nonce", nonce),
            new("oauth_signature_method", Method),
            new("oauth_timestamp", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            new("oauth_version", "1.0"),
        };
        if (signer.Token is { } token) oauth.Add(new("oauth_token", token));
        oauth.AddRange(protocol);
        var signature = Sign(BaseString(method, url, QueryOf(url).Concat(form).Concat(oauth)), signer.ConsumerSecret, signer.TokenSecret);
        oauth.Add(new("oauth_signature", signature));
        return string.Join(", ", oauth.Select(p => $"{Encode(p.Key)}=\"{Encode(p.Value)}\""));
    }

    /// <summary>The signature base string (§3.4.1): method, base string URI and normalized parameters, each encoded and joined by <c>&amp;</c>.</summary>
    public static string BaseString(string method, Uri url, IEnumerable<KeyValuePair<string, string>> parameters)
    {
        var normalized = parameters
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}");
        return $"{method.ToUpperInvariant()}&{Encode(BaseUri(url))}&{Encode(string.Join('&', normalized))}";
    }

    /// <summary>HMAC-SHA1 of the base string (§3.4.2), keyed by both secrets encoded and joined; an absent token secret is empty.</summary>
    public static string Sign(string baseString, string consumerSecret, string? tokenSecret)
    {
        var key = Encoding.UTF8.GetBytes($"{Encode(consumerSecret)}&{Encode(tokenSecret ?? "")}");
        // The protocol names SHA-1; as an HMAC it stands, and the apps that speak OAuth 1.0a accept nothing stronger.
#pragma warning disable CA5350
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(baseString)));
#pragma warning restore CA5350
    }

    /// <summary>128 bits from the system's generator: a nonce the app never saw before with any timestamp.</summary>
    public static string NewNonce() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>Percent-encoding as §3.6 says: every byte of the UTF-8 form except the unreserved characters, in upper-case hex.</summary>
    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (char.IsAsciiLetterOrDigit((char)b) || b is (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~') builder.Append((char)b);
            else builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return builder.ToString();
    }

    /// <summary>The parameters of a form body or a query, decoded as <c>application/x-www-form-urlencoded</c> (§3.4.1.3.1).</summary>
    public static IEnumerable<KeyValuePair<string, string>> FormOf(string encoded)
    {
        foreach (var pair in encoded.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            var (name, value) = equals < 0 ? (pair, "") : (pair[..equals], pair[(equals + 1)..]);
            yield return new(Decode(name), Decode(value));
        }
    }

    private static IEnumerable<KeyValuePair<string, string>> QueryOf(Uri url) => FormOf(url.Query.TrimStart('?'));

    private static string Decode(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));

    /// <summary>§3.4.1.2: scheme and host in lower case, the port only when it is not the scheme's own, the path as sent.</summary>
    private static string BaseUri(Uri url)
    {
        var port = url.IsDefaultPort ? "" : ":" + url.Port.ToString(CultureInfo.InvariantCulture);
        return $"{url.Scheme.ToLowerInvariant()}://{url.Host.ToLowerInvariant()}{port}{url.AbsolutePath}";
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// OAuth 1.0a signatures (RFC 5849 §3.4), written from the RFC alone so that tests check the service's signer against
/// an independent reading rather than against itself. Pure functions; <see cref="LoopbackOAuth1Server"/> verifies with
/// them, and tests may sign hand-built requests with them.
/// </summary>
public static class OAuth1Check
{
    private const string Unreserved = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

    /// <summary>§3.6: UTF-8, then every octet outside the unreserved set as <c>%XX</c> with uppercase hex.</summary>
    public static string Encode(string value)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (var octet in Encoding.UTF8.GetBytes(value))
        {
            if (Unreserved.Contains((char)octet, StringComparison.Ordinal)) encoded.Append((char)octet);
            else encoded.Append('%').Append(octet.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }

    /// <summary>
    /// A query or form body decoded as <c>application/x-www-form-urlencoded</c> (§3.4.1.3.1): <c>+</c> is a space, a
    /// name without <c>=</c> has an empty value, and names and values keep their order and repeats.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> FormDecode(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded)) return [];
        if (encoded[0] == '?') encoded = encoded[1..];
        var pairs = new List<KeyValuePair<string, string>>();
        foreach (var part in encoded.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? part : part[..equals];
            var value = equals < 0 ? "" : part[(equals + 1)..];
            pairs.Add(new(FormUnescape(name), FormUnescape(value)));
        }
        return pairs;
    }

    /// <summary>
    /// The parameters of an <c>Authorization: OAuth ...</c> header (§3.5.1), values decoded; realm included (the caller
    /// leaves it out of the base string). Null when the header is not of the OAuth scheme, is malformed, or repeats a name.
    /// </summary>
    public static IReadOnlyDictionary<string, string>? ReadAuthorization(string? header)
    {
        const string Scheme = "OAuth ";
        if (header is null || !header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in header[Scheme.Length..].Split(','))
        {
            var item = part.Trim();
            if (item.Length == 0) continue;
            var equals = item.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0) return null;
            var quoted = item[(equals + 1)..];
            if (quoted.Length < 2 || quoted[0] != '"' || quoted[^1] != '"') return null;
            var name = Uri.UnescapeDataString(item[..equals]);
            if (!parameters.TryAdd(name, Uri.UnescapeDataString(quoted[1..^1]))) return null;
        }
        return parameters;
    }

    /// <summary>
    /// §3.4.1.3.1: the query, the header's parameters except <c>realm</c>, and the form body (only when the request is
    /// form-encoded: pass null otherwise); <c>oauth_signature</c> is left out wherever it appears.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>> SignedParameters(
        string? query, IReadOnlyDictionary<string, string> authorization, string? formBody) =>
    [
        .. FormDecode(query)
            .Concat(authorization.Where(p => p.Key != "realm"))
            .Concat(FormDecode(formBody))
            .Where(p => p.Key != "oauth_signature"),
    ];

    /// <summary>
    /// §3.4.1.2: scheme and host in lowercase, the port only when it is not the scheme's default, and the path as it
    /// was sent (still percent-encoded), without query or fragment.
    /// </summary>
    public static string BaseStringUri(string scheme, string authority, string path)
    {
        scheme = scheme.ToLowerInvariant();
        authority = authority.ToLowerInvariant();
        var defaultPort = scheme switch { "http" => ":80", "https" => ":443", _ => null };
        if (defaultPort is not null && authority.EndsWith(defaultPort, StringComparison.Ordinal))
            authority = authority[..^defaultPort.Length];
        return $"{scheme}://{authority}{(path.Length == 0 ? "/" : path)}";
    }

    /// <summary>§3.4.1.3.2: names and values encoded, sorted by name then value (byte order), joined.</summary>
    public static string NormalizeParameters(IEnumerable<KeyValuePair<string, string>> parameters) =>
        string.Join('&', parameters
            .Select(p => (Name: Encode(p.Key), Value: Encode(p.Value)))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => $"{p.Name}={p.Value}"));

    /// <summary>§3.4.1.1: method in uppercase, the base string URI and the normalized parameters, each encoded, joined by <c>&amp;</c>.</summary>
    public static string BaseString(string method, string baseStringUri, IEnumerable<KeyValuePair<string, string>> parameters) =>
        $"{Encode(method.ToUpperInvariant())}&{Encode(baseStringUri)}&{Encode(NormalizeParameters(parameters))}";

    /// <summary>§3.4.2: HMAC-SHA1 of the base string keyed by the encoded secrets joined by <c>&amp;</c>, in base64.</summary>
    public static string Signature(string baseString, string consumerSecret, string? tokenSecret)
    {
        var key = Encoding.UTF8.GetBytes($"{Encode(consumerSecret)}&{Encode(tokenSecret ?? "")}");
#pragma warning disable CA5350 // HMAC-SHA1 is what RFC 5849 §3.4.2 defines; the apps that speak OAuth 1.0a expect it.
        return Convert.ToBase64String(HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(baseString)));
#pragma warning restore CA5350
    }

    /// <summary>Whether a given signature is the expected one, compared in constant time.</summary>
    public static bool SignatureMatches(string expected, string given) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(given));

    private static string FormUnescape(string value) => Uri.UnescapeDataString(value.Replace('+', ' '));
}

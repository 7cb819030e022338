using System.Text;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// The rules a proxied call is held to: a path that stays under the app's API base URL, headers the caller may set and
/// headers the caller may see. Everything here is checked before a byte leaves the service.
/// </summary>
public static class ProxyCall
{
    public const int MaxPathLength = 2048;
    public const int MaxQueryParameters = 100;
    public const int MaxHeaders = 50;
    public const int MaxValueLength = 8192;
    public const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly HashSet<string> Methods = new(StringComparer.Ordinal) { "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" };

    // Hop-by-hop headers (RFC 9110 §7.6.1), what the service sets itself, and anything that carries a credential:
    // a caller may neither replace the account's credentials nor smuggle its own through, and sees none coming back.
    private static readonly HashSet<string> NotForwarded = new(StringComparer.OrdinalIgnoreCase)
    {
        "Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
        "Host", "Content-Length", "Authorization", "Cookie", "Set-Cookie", "Set-Cookie2", "Forwarded", "X-Forwarded-For",
        "X-Forwarded-Host", "X-Forwarded-Proto", "X-Real-IP",
    };

    /// <summary>
    /// Field errors of the request (empty when it may go out); never echoes a value. Without <paramref name="api"/>,
    /// everything that does not depend on the app, so bad input is refused before any credential is touched.
    /// </summary>
    public static Dictionary<string, string[]> Check(ProxyRequest request, ApiSettings? api)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!Methods.Contains(request.Method ?? "")) errors["method"] = [$"must be one of: {string.Join(", ", Methods)}"];
        if (PathProblem(request.Path) is { } path) errors["path"] = [path];
        if (request.Query is null || request.Query.Count > MaxQueryParameters) errors["query"] = [$"at most {MaxQueryParameters} parameters"];
        else if (request.Query.Any(p => string.IsNullOrEmpty(p.Key) || p.Key.Length > 256 || (p.Value?.Length ?? 0) > MaxValueLength
                                        || PrintableText.HasHiddenCharacters(p.Key, allowLineBreaks: false) || PrintableText.HasHiddenCharacters(p.Value ?? "", allowLineBreaks: false)))
            errors["query"] = ["parameter names are 1-256 visible characters and values at most 8192, without control characters"];
        else if (api is not null && request.Query.FirstOrDefault(p => api.Query.ContainsKey(p.Key)) is { Key: { } taken })
            errors["query"] = [$"'{taken}' is set by the service for this app"];
        if (request.Headers is null || request.Headers.Count > MaxHeaders) errors["headers"] = [$"at most {MaxHeaders} headers"];
        else if (request.Headers.Any(h => !IsToken(h.Key) || (h.Value?.Length ?? 0) > MaxValueLength || (h.Value ?? "").Any(char.IsControl)))
            errors["headers"] = ["names are HTTP tokens and values single lines of at most 8192 characters"];
        else if (request.Headers.Keys.FirstOrDefault(name => !IsForwardable(name, api)) is { } refused)
            errors["headers"] = [$"'{refused}' is not one a caller may set through the proxy"];
        if (request.ContentType is { } type && (type.Length > 256 || type.Any(char.IsControl))) errors["contentType"] = ["must be one line of at most 256 characters"];
        if (request.Body is { Length: > MaxBodyBytes }) errors["body"] = [$"must be at most {MaxBodyBytes} bytes"];
        return errors;
    }

    /// <summary>Why <paramref name="path"/> could leave the base URL, or null when it cannot.</summary>
    public static string? PathProblem(string? path)
    {
        const string rule = "must be a path under the app's API base URL, starting with '/', without '..', '\\', a scheme, a query or encoded separators";
        if (string.IsNullOrEmpty(path) || path.Length > MaxPathLength || path[0] != '/' || path.StartsWith("//", StringComparison.Ordinal)) return rule;
        if (path.Any(c => c is '\\' or '?' or '#' || c <= ' ' || c >= 0x7f)) return rule;
        // Encoded dots, slashes, backslashes and percent signs would be decoded into separators by some servers.
        for (var i = path.IndexOf('%', StringComparison.Ordinal); i >= 0; i = path.IndexOf('%', i + 1))
        {
            if (i + 2 >= path.Length) return rule;
            var code = path.Substring(i + 1, 2).ToUpperInvariant();
            if (code is "2E" or "2F" or "5C" or "25" || !Uri.IsHexDigit(code[0]) || !Uri.IsHexDigit(code[1])) return rule;
        }
        return path.Split('/').Any(segment => segment is "." or "..") ? rule : null;
    }

    /// <summary>The target URL, or null when it would not stay under <paramref name="baseUrl"/>.</summary>
    public static Uri? Target(string baseUrl, string path, IEnumerable<KeyValuePair<string, string>> query)
    {
        if (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var root)) return null;
        var builder = new StringBuilder(baseUrl.TrimEnd('/')).Append(path);
        var separator = '?';
        foreach (var (name, value) in query)
        {
            builder.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value ?? ""));
            separator = '&';
        }
        if (!Uri.TryCreate(builder.ToString(), UriKind.Absolute, out var target)) return null;
        var under = root.AbsolutePath.TrimEnd('/') + "/";
        return target.Scheme == root.Scheme && target.IdnHost == root.IdnHost && target.Port == root.Port
               && (target.AbsolutePath + "/").StartsWith(under, StringComparison.Ordinal)
            ? target
            : null;
    }

    public static bool IsForwardable(string name, ApiSettings? api)
        => !NotForwarded.Contains(name) && !(api?.Headers.Keys.Contains(name, StringComparer.OrdinalIgnoreCase) ?? false);

    /// <summary>Whether the caller may see this answer header: not hop-by-hop, not one that sets or carries a credential.</summary>
    public static bool IsReturned(string name) => !NotForwarded.Contains(name);

    /// <summary>
    /// What the audit keeps of a path: its shape, with every segment that holds a digit (but a version such as
    /// <c>v2</c>), is encoded, or is long enough to be an id replaced by <c>{id}</c>, so ids and whatever else a caller
    /// put there stay out of the trail.
    /// </summary>
    public static string Template(string path) => string.Join('/', path.Split('/').Select(segment =>
        IsVersion(segment) ? segment
        : segment.Length > 24 || segment.Any(char.IsAsciiDigit) || segment.Contains('%', StringComparison.Ordinal) ? "{id}"
        : segment));

    private static bool IsVersion(string segment)
        => segment.Length is >= 2 and <= 4 && segment[0] is 'v' or 'V' && segment[1..].All(char.IsAsciiDigit);

    private static bool IsToken(string? name)
        => name is { Length: > 0 and <= 256 } && name.All(c => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal));
}

using System.Text.RegularExpressions;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// An app's URLs for one account: <c>{{name}}</c> filled from its connection settings, captured values or key fields,
/// and held to the app's hosts, so no value can send a credential anywhere the catalog did not name. A value in a path
/// or query is escaped; a value in a host must be a DNS name that leaves the host under <see cref="AppDefinition.Hosts"/>
/// or the template's own literal tail (<c>.zendesk.com</c>); a template that starts with a placeholder takes a whole
/// origin from it (Salesforce's <c>instance_url</c>), under the same rule.
/// </summary>
public static partial class ConnectionUrls
{
    [GeneratedRegex(@"\A[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\z", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex DnsName();

    [GeneratedRegex(@"\A\{\{([^{}:]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex LeadingPlaceholder();

    /// <summary>Whether a template's host (or whole origin) comes from a value.</summary>
    public static bool HostVaries(string template) => LeadingPlaceholder().IsMatch(template) || HostOf(template).Contains("{{", StringComparison.Ordinal);

    /// <summary>
    /// The literal tail of a template's host after its last placeholder, without the leading dot (<c>zendesk.com</c> for
    /// <c>https://{{subdomain}}.zendesk.com</c>), when it is a domain of at least two labels; null otherwise.
    /// </summary>
    public static string? ImpliedHost(string template)
    {
        var host = HostOf(template);
        var end = host.LastIndexOf("}}", StringComparison.Ordinal);
        if (end < 0 || LeadingPlaceholder().IsMatch(template)) return null;
        var tail = host[(end + 2)..];
        var port = tail.IndexOf(':', StringComparison.Ordinal);
        if (port >= 0) tail = tail[..port];
        return tail.StartsWith('.') && tail.Count(c => c == '.') >= 2 && DnsName().IsMatch(tail[1..]) ? tail[1..].ToLowerInvariant() : null;
    }

    /// <summary>Whether <paramref name="host"/> is <paramref name="allowed"/> or one of its subdomains.</summary>
    public static bool IsUnder(string host, string allowed)
        => host.Equals(allowed, StringComparison.OrdinalIgnoreCase) || host.EndsWith("." + allowed, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The URL for these values, or null with the problem (which names the value, never shows it): a value missing,
    /// one that is not a DNS name where a host needs one, or a filled host outside the allowed ones.
    /// </summary>
    public static string? Fill(string template, IReadOnlyDictionary<string, string> values, IReadOnlyList<string> hosts, bool allowLoopbackHttp, out string? problem)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(values);
        problem = null;
        foreach (var name in TestRequestTemplate.Placeholders(template).SelectMany(TestRequestTemplate.FieldsOf))
        {
            if (string.IsNullOrEmpty(values.GetValueOrDefault(name)))
            {
                problem = $"needs '{name}', which this account does not have";
                return null;
            }
        }

        string filled;
        if (LeadingPlaceholder().Match(template) is { Success: true } leading)
        {
            var name = leading.Groups[1].Value;
            if (!IsOrigin(values[name], allowLoopbackHttp, out var origin))
            {
                problem = $"'{name}' is not an https origin (scheme and host, nothing else)";
                return null;
            }
            filled = origin + TestRequestTemplate.Fill(template[leading.Length..], values, Uri.EscapeDataString);
        }
        else
        {
            var host = HostOf(template);
            foreach (var name in TestRequestTemplate.Placeholders(host))
            {
                if (!DnsName().IsMatch(values[name]))
                {
                    problem = $"'{name}' must be a host name: letters, digits, hyphens and dots";
                    return null;
                }
            }
            var at = template.IndexOf(host, StringComparison.Ordinal);
            filled = template[..at] + TestRequestTemplate.Fill(host, values) + TestRequestTemplate.Fill(template[(at + host.Length)..], values, Uri.EscapeDataString);
        }

        if (!SafeUrl.IsAllowed(filled, allowLoopbackHttp) || !Uri.TryCreate(filled, UriKind.Absolute, out var uri))
        {
            problem = "does not form an https address";
            return null;
        }
        if (HostVaries(template))
        {
            var allowed = ImpliedHost(template) is { } implied ? hosts.Append(implied) : hosts;
            if (!allowed.Any(h => IsUnder(uri.IdnHost, h)))
            {
                problem = hosts.Count == 0 && ImpliedHost(template) is null
                    ? "may reach no host: the app names none"
                    : $"would reach a host outside {string.Join(", ", allowed)}";
                return null;
            }
        }
        else if (!Uri.TryCreate(TestRequestTemplate.WithStandIn(template, "x"), UriKind.Absolute, out var literal) || literal.IdnHost != uri.IdnHost || literal.Port != uri.Port)
        {
            problem = "would leave the app's host";
            return null;
        }
        return filled;
    }

    /// <summary>
    /// The app with its OAuth and API URLs filled for one account (settings and captured values, never a secret), or
    /// null with the problem of each URL that cannot be filled, keyed as the catalog names it.
    /// </summary>
    public static AppDefinition? Resolve(AppDefinition app, IReadOnlyDictionary<string, string> values, bool allowLoopbackHttp, out IReadOnlyDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(app);
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        string? One(string key, string? template)
        {
            if (template is null || !template.Contains("{{", StringComparison.Ordinal)) return template;
            var url = Fill(template, values, app.Hosts, allowLoopbackHttp, out var problem);
            if (problem is not null) found[key] = [problem];
            return url;
        }
        var resolved = app with
        {
            OAuth = app.OAuth is { } oauth
                ? oauth with
                {
                    AuthorizeUrl = One("oauth.authorizeUrl", oauth.AuthorizeUrl)!,
                    TokenUrl = One("oauth.tokenUrl", oauth.TokenUrl)!,
                    RefreshUrl = One("oauth.refreshUrl", oauth.RefreshUrl),
                    RevokeUrl = One("oauth.revokeUrl", oauth.RevokeUrl),
                    RequestTokenUrl = One("oauth.requestTokenUrl", oauth.RequestTokenUrl),
                }
                : null,
        };
        // A key app's API and test request take key fields, secrets among them: those are filled per call, never kept.
        if (!app.AuthType.TakesFields() && app.Api is { } api) resolved = resolved with { Api = api with { BaseUrl = One("api.baseUrl", api.BaseUrl)! } };
        errors = found;
        return found.Count == 0 ? resolved : null;
    }

    /// <summary>The values an app's URLs may take: its settings as given (or their defaults) and what its token answer captured.</summary>
    public static Dictionary<string, string> ValuesOf(AppDefinition app, IReadOnlyDictionary<string, string> given)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in app.Settings)
        {
            if (given.GetValueOrDefault(setting.Name) is { Length: > 0 } value) values[setting.Name] = value;
            else if (setting.Default is { } fallback) values[setting.Name] = fallback;
        }
        foreach (var (name, value) in given.Where(v => !values.ContainsKey(v.Key))) values[name] = value;
        return values;
    }

    /// <summary>The part of a template between its scheme and its path: host and port, placeholders included.</summary>
    private static string HostOf(string template)
    {
        var start = template.IndexOf("://", StringComparison.Ordinal);
        if (start < 0) return "";
        start += 3;
        var end = template.IndexOfAny(['/', '?', '#'], start);
        return end < 0 ? template[start..] : template[start..end];
    }

    private static bool IsOrigin(string value, bool allowLoopbackHttp, out string origin)
    {
        origin = "";
        if (!SafeUrl.IsAllowed(value, allowLoopbackHttp) || !Uri.TryCreate(value, UriKind.Absolute, out var uri)) return false;
        if (uri.AbsolutePath != "/" || uri.Query.Length > 0 || uri.Fragment.Length > 0 || value.Contains('\\', StringComparison.Ordinal)) return false;
        origin = uri.GetLeftPart(UriPartial.Authority);
        return true;
    }
}

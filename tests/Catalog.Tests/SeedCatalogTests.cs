using System.Text.RegularExpressions;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed partial class SeedCatalogTests
{
    /// <summary>Values that would move a test request to a host the app does not own if a field let them through.</summary>
    /// <summary>
    /// Values that would change where a request goes if a field inside the URL's authority accepted them. Dots alone
    /// are fine: a label before a fixed domain stays inside it, and a whole-host field names the user's own server.
    /// </summary>
    private static readonly string[] HostRedirects =
    [
        "attacker.example/", "evil.com/x", "evil.com#", "evil.com?x=", "user@evil.com", "evil.com:8443", "evil.com\\x", "a.b/",
    ];

    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    [Fact]
    public void Seed_loads_without_throwing()
    {
        var exception = Record.Exception(() => ShippedCatalog.ReadSeed());

        Assert.Null(exception);
    }

    [Fact]
    public void Seed_has_at_least_fifty_apps()
    {
        var apps = ShippedCatalog.ReadSeed();

        Assert.True(apps.Count >= 50, $"The seed has {apps.Count} apps.");
    }

    /// <summary>
    /// PKCE S256 goes with every consent unless the app's server is known to fail on it. Servers that do not know PKCE
    /// ignore the parameters (RFC 6749 §3.1), so "not documented" is not a reason to leave it off.
    /// </summary>
    [Fact]
    public void Every_oauth_app_uses_pkce_except_those_whose_servers_fail_on_it()
    {
        string[] refusing =
        [
            "linkedin", "linkedin_ads",   // 401 invalid_client when a confidential client sends code_verifier
            "slack",                      // internal_error for a PKCE-enabled app given client_secret and code_verifier
            "pipedrive",                  // authorization errors reported with PKCE on
            // Turned off by a widely used integration layer after failures in production; on once verified by hand.
            "highlevel", "monday", "typeform", "surveymonkey", "timely", "factorial",
        ];

        var withoutPkce = ShippedCatalog.ReadSeed().Where(a => a.OAuth is { Pkce: false }).Select(a => a.Slug).Order(StringComparer.Ordinal);

        Assert.Equal(refusing.Order(StringComparer.Ordinal), withoutPkce);
    }

    [Fact]
    public void Seed_slugs_are_unique()
    {
        var duplicates = ShippedCatalog.ReadSeed()
            .GroupBy(a => a.Slug, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key);

        Assert.Empty(duplicates);
    }

    [Fact]
    public void Seed_aliases_are_unique_and_never_name_another_app()
    {
        var apps = ShippedCatalog.ReadSeed();
        var slugs = apps.Select(a => a.Slug).ToHashSet(StringComparer.Ordinal);

        var duplicateAliases = apps.SelectMany(a => a.Aliases)
            .GroupBy(a => a, StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key);
        var aliasesThatAreSlugs = apps.SelectMany(a => a.Aliases).Where(slugs.Contains);

        Assert.Empty(duplicateAliases);
        Assert.Empty(aliasesThatAreSlugs);
    }

    [Fact]
    public void Seed_urls_are_absolute_https()
    {
        var bad = ShippedCatalog.ReadSeed()
            .SelectMany(app => UrlsOf(app).Select(url => (app.Slug, url.Key, url.Value)))
            .Where(u => !IsAbsoluteHttps(u.Value))
            .Select(u => $"{u.Slug}.{u.Key}: {u.Value}");

        Assert.Empty(bad);
    }

    [Fact]
    public void Seed_oauth2_apps_have_oauth_settings_and_no_test_request()
    {
        var bad = ShippedCatalog.ReadSeed()
            .Where(a => a.AuthType == AuthType.OAuth2 && (a.OAuth is null || a.TestRequest is not null))
            .Select(a => a.Slug);

        Assert.Empty(bad);
    }

    [Fact]
    public void Seed_keys_apps_have_fields_and_no_oauth_settings()
    {
        var bad = ShippedCatalog.ReadSeed()
            .Where(a => a.AuthType == AuthType.Keys && (a.Fields.Count == 0 || a.OAuth is not null))
            .Select(a => a.Slug);

        Assert.Empty(bad);
    }

    [Fact]
    public void Seed_field_patterns_compile_and_are_anchored()
    {
        var bad = ShippedCatalog.ReadSeed()
            .SelectMany(app => app.Fields.Select(field => (app.Slug, field.Name, field.Pattern)))
            .Where(f => f.Pattern is not null && !(f.Pattern.StartsWith('^') && f.Pattern.EndsWith('$') && Compiles(f.Pattern)))
            .Select(f => $"{f.Slug}.{f.Name}: {f.Pattern}");

        Assert.Empty(bad);
    }

    [Fact]
    public void Seed_categories_are_all_known()
    {
        var unknown = ShippedCatalog.ReadSeed()
            .SelectMany(app => app.Categories.Select(category => (app.Slug, category)))
            .Where(c => !AppCategories.Known.Contains(c.category))
            .Select(c => $"{c.Slug}: {c.category}");

        Assert.Empty(unknown);
    }

    [Fact]
    public void Seed_apps_pass_the_definition_rules()
    {
        var problems = ShippedCatalog.ReadSeed()
            .SelectMany(app => AppDefinitionRules.Validate(app).Select(e => $"{app.Slug}.{e.Key}: {string.Join(" ", e.Value)}"));

        Assert.Empty(problems);
    }

    [Fact]
    public void Seed_field_in_a_test_request_host_cannot_point_it_at_another_host()
    {
        var apps = ShippedCatalog.ReadSeed();
        var hostFields = apps
            .Where(a => a.TestRequest is not null)
            .SelectMany(app => HostPlaceholders(app.TestRequest!.Url)
                .Select(name => (app.Slug, Name: name, app.Fields.FirstOrDefault(f => f.Name == name)?.Pattern)))
            .ToList();

        var unsafeFields = hostFields
            .Where(f => f.Pattern is null || HostRedirects.Any(value => Regex.IsMatch(value, f.Pattern, RegexOptions.None, TimeSpan.FromSeconds(1))))
            .Select(f => $"{f.Slug}.{f.Name}: {f.Pattern ?? "(no pattern)"}");

        Assert.NotEmpty(hostFields); // the seed does have such fields (algolia, shopify, …); an empty list would prove nothing
        Assert.Empty(unsafeFields);
    }

    [Fact]
    public void Seed_counts_by_auth_type_and_category_cover_every_auth_type()
    {
        var apps = ShippedCatalog.ReadSeed();
        var byAuthType = apps.GroupBy(a => a.AuthType).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count());
        var byCategory = apps.SelectMany(a => a.Categories).GroupBy(c => c, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}: {g.Count()}");

        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"{apps.Count} apps");
        foreach (var (authType, count) in byAuthType) output?.WriteLine($"auth {authType}: {count}");
        foreach (var line in byCategory) output?.WriteLine($"category {line}");

        Assert.Equal(Enum.GetValues<AuthType>(), byAuthType.Keys);
    }

    private static Dictionary<string, string> UrlsOf(AppDefinition app)
    {
        var urls = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["docsUrl"] = app.DocsUrl,
            ["websiteUrl"] = app.WebsiteUrl,
            ["oauth.authorizeUrl"] = Filled(app, app.OAuth?.AuthorizeUrl),
            ["oauth.tokenUrl"] = Filled(app, app.OAuth?.TokenUrl),
            ["oauth.refreshUrl"] = Filled(app, app.OAuth?.RefreshUrl),
            ["oauth.revokeUrl"] = Filled(app, app.OAuth?.RevokeUrl),
            ["testRequest.url"] = app.TestRequest is { } test ? Placeholder().Replace(test.Url, "1") : null,
        };
        return urls.Where(u => u.Value is not null).ToDictionary(u => u.Key, u => u.Value!, StringComparer.Ordinal);
    }

    /// <summary>
    /// An OAuth URL as the app's defaults make it (a captured origin stands in as its first host): what an account
    /// connected without choosing anything reaches. A template that cannot be filled stays as written, and fails.
    /// </summary>
    private static string? Filled(AppDefinition app, string? template)
    {
        // An app whose accounts fetch their own tokens has no consent, so no authorize URL.
        if (string.IsNullOrEmpty(template) && app.AuthType.FetchesOwnTokens()) return null;
        if (template is null || !template.Contains("{{", StringComparison.Ordinal)) return template;
        var values = ConnectionUrls.ValuesOf(app, new Dictionary<string, string>());
        // A setting without a default stands in as its first choice or a plain label; a field a person types as a name
        // under the app's first host, the shape its pattern asks for.
        foreach (var setting in app.Settings)
        {
            // A setting that is a whole host (an Okta domain) stands in as a name under the app's first host.
            var host = app.Hosts.Count > 0 ? $"tenant.{app.Hosts[0]}" : null;
            values.TryAdd(setting.Name, setting.Choices.Count > 0 ? setting.Choices[0] : host is not null && setting.Check(host) is null ? host : "tenant");
        }
        foreach (var field in app.Fields.Where(f => !f.Secret)) values.TryAdd(field.Name, app.Hosts.Count > 0 ? $"tenant.{app.Hosts[0]}" : "tenant");
        foreach (var capture in app.OAuth?.TokenResponse?.Captures.Keys ?? []) values[capture] = $"https://captured.{(app.Hosts.Count > 0 ? app.Hosts[0] : "example.com")}";
        return ConnectionUrls.Fill(template, values, app.Hosts, allowLoopbackHttp: false, out _) ?? template;
    }

    private static bool IsAbsoluteHttps(string url)
        => Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps
           && uri.UserInfo.Length == 0 && uri.Host.Length > 0;

    /// <summary>Field names of the placeholders between <c>scheme://</c> and the first <c>/</c>, <c>?</c> or <c>#</c>.</summary>
    private static IEnumerable<string> HostPlaceholders(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var authority = start < 0 ? url : url[(start + 3)..];
        var end = authority.IndexOfAny(['/', '?', '#']);
        if (end >= 0) authority = authority[..end];
        return Placeholder().Matches(authority).SelectMany(m => TestRequestTemplate.FieldsOf(m.Groups[1].Value));
    }

    private static bool Compiles(string pattern)
    {
        try
        {
            _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

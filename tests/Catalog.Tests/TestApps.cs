using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

/// <summary>Valid app definitions to start from; tests change one thing with <c>with</c>.</summary>
internal static class TestApps
{
    /// <summary>An oauth2 app whose endpoints live on <c>{slug}.example.com</c>.</summary>
    public static AppDefinition OAuth(string slug, string? name = null) => new()
    {
        Slug = slug,
        Name = name ?? NameOf(slug),
        Description = $"The {slug} test app.",
        Categories = ["productivity"],
        WebsiteUrl = $"https://www.{Host(slug)}",
        DocsUrl = $"https://docs.{Host(slug)}/oauth",
        AuthType = AuthType.OAuth2,
        OAuth = new OAuthSettings
        {
            AuthorizeUrl = $"https://auth.{Host(slug)}/authorize",
            TokenUrl = $"https://auth.{Host(slug)}/token",
            RevokeUrl = $"https://auth.{Host(slug)}/revoke",
            DefaultScopes = ["read", "write"],
            AuthorizeParameters = new Dictionary<string, string> { ["access_type"] = "offline" },
        },
    };

    /// <summary>A key-based app with one secret field and a test request that sends it.</summary>
    public static AppDefinition Keys(string slug, string? name = null) => new()
    {
        Slug = slug,
        Name = name ?? NameOf(slug),
        Description = $"The {slug} test app.",
        Categories = ["developer-tools"],
        WebsiteUrl = $"https://www.{Host(slug)}",
        DocsUrl = $"https://docs.{Host(slug)}/keys",
        AuthType = AuthType.Keys,
        Fields = [Field("api_key")],
        TestRequest = new TestRequest
        {
            Url = $"https://api.{Host(slug)}/me",
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{api_key}}" },
        },
    };

    public static KeyField Field(string name, string? pattern = "^[A-Za-z0-9_-]{8,64}$") => new()
    {
        Name = name,
        Label = $"The {name}",
        Secret = true,
        Pattern = pattern,
    };

    /// <summary>The apps as a catalog of their own, nothing disabled.</summary>
    public static CatalogComposition Catalog(params AppDefinition[] apps)
        => CatalogComposition.Compose(1, apps, [], [], new Dictionary<string, bool>(StringComparer.Ordinal));

    /// <summary>The web host of a slug's app: underscores are not valid in host names.</summary>
    public static string Host(string slug) => slug.Replace('_', '-') + ".example.com";

    private static string NameOf(string slug) => "App " + slug.Replace('_', ' ').ToUpperInvariant();
}

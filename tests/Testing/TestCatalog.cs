using System.Text.Json;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Testing;

/// <summary>Apps that exist only for a test, added to a Host through the operator's catalog override file.</summary>
public static class TestCatalog
{
    /// <summary>Writes the apps to a fresh override file and points the settings at it (allowing loopback http).</summary>
    public static void AddTo(IDictionary<string, string?> settings, params AppDefinition[] apps)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("accounts-catalog-").FullName, "apps.json");
        File.WriteAllText(path, CatalogFile.Write(apps));
        settings["Accounts:Catalog:OverrideFile"] = path;
        settings["Accounts:Catalog:AllowLoopbackHttp"] = "true";
        settings["Accounts:Connections:AllowLoopbackHttp"] = "true";
    }

    /// <summary>An OAuth app whose endpoints are the given loopback server's.</summary>
    public static AppDefinition OAuthApp(string slug, Uri authorize, Uri token, Uri? revoke, bool pkce = true,
        TokenRequestAuth auth = TokenRequestAuth.ClientSecretBasic, string? issuer = null, IReadOnlyList<string>? scopes = null) => new()
    {
        Slug = slug,
        Name = "Loopback OAuth",
        Categories = ["developer-tools"],
        DocsUrl = "https://docs.loopback.example/oauth",
        AuthType = AuthType.OAuth2,
        OAuth = new OAuthSettings
        {
            AuthorizeUrl = authorize.ToString(),
            TokenUrl = token.ToString(),
            RevokeUrl = revoke?.ToString(),
            Issuer = issuer,
            DefaultScopes = scopes ?? ["read"],
            Pkce = pkce,
            TokenRequestAuth = auth,
            TokenResponse = new TokenResponseQuirks { IdentityPath = "user_id" },
        },
    };

    public static string Serialize(AppDefinition app) => JsonSerializer.Serialize(app, CatalogDocument.JsonOptions);
}

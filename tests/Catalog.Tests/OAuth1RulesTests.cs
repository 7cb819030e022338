using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class OAuth1RulesTests
{
    private static readonly AppDefinition Photos = new()
    {
        Slug = "acme_photos",
        Name = "Acme Photos",
        Categories = ["social"],
        DocsUrl = "https://docs.acme.example/oauth1",
        AuthType = AuthType.OAuth1,
        OAuth = new OAuthSettings
        {
            RequestTokenUrl = "https://{{region}}.acme.example/oauth/request_token",
            AuthorizeUrl = "https://www.acme.example/oauth/authorize",
            TokenUrl = "https://www.acme.example/oauth/access_token",
            AuthorizeParameters = new Dictionary<string, string> { ["perms"] = "read" },
            TokenResponse = new TokenResponseQuirks { IdentityPath = "user_nsid" },
        },
        Settings = [new ConnectionSetting { Name = "region", Label = "Region", Choices = ["eu", "us"] }],
        Api = new ApiSettings { BaseUrl = "https://api.acme.example/services/rest" },
    };

    [Fact]
    public void An_oauth1_app_with_its_three_endpoints_and_its_own_authorize_parameters_passes()
        => Assert.Empty(AppDefinitionRules.Validate(Photos));

    [Fact]
    public void Missing_endpoints_fields_and_oauth2_options_it_cannot_use_are_refused_by_name()
    {
        var oauth = Photos.OAuth!;
        IReadOnlyDictionary<string, string[]> With(OAuthSettings changed) => AppDefinitionRules.Validate(Photos with { OAuth = changed });

        Assert.Contains("oauth", AppDefinitionRules.Validate(Photos with { OAuth = null }).Keys);
        Assert.Contains("oauth.requestTokenUrl", With(oauth with { RequestTokenUrl = null }).Keys);
        Assert.Contains("oauth.requestTokenUrl", With(oauth with { RequestTokenUrl = "http://www.acme.example/oauth/request_token" }).Keys);
        Assert.Contains("oauth.requestTokenUrl", With(oauth with { RequestTokenUrl = "https://{{nobody}}.acme.example/x" }).Keys);
        Assert.Contains("oauth.authorizeUrl", With(oauth with { AuthorizeUrl = "" }).Keys);
        Assert.Contains("oauth.authorizeParameters", With(oauth with { AuthorizeParameters = new Dictionary<string, string> { ["OAUTH_token"] = "x" } }).Keys);
        Assert.Contains("oauth.defaultScopes", With(oauth with { DefaultScopes = ["read"] }).Keys);
        Assert.Contains("oauth.refreshUrl", With(oauth with { RefreshUrl = "https://www.acme.example/refresh" }).Keys);
        Assert.Contains("oauth.revokeUrl", With(oauth with { RevokeUrl = "https://www.acme.example/revoke" }).Keys);
        Assert.Contains("oauth.tokenRequestFormat", With(oauth with { TokenRequestFormat = TokenRequestFormat.Json }).Keys);
        Assert.Contains("oauth.exchange", With(oauth with { Exchange = new TokenCallSettings { Url = "https://www.acme.example/x", Parameters = new Dictionary<string, string> { ["t"] = "{{access_token}}" } } }).Keys);
        Assert.Contains("oauth.tokenResponse", With(oauth with { TokenResponse = new TokenResponseQuirks { DefaultExpiresInSeconds = 60 } }).Keys);
        Assert.Contains("fields", AppDefinitionRules.Validate(Photos with { Fields = [new KeyField { Name = "api_key", Label = "Key", Secret = true }] }).Keys);
        Assert.Contains("testRequest", AppDefinitionRules.Validate(Photos with { TestRequest = new TestRequest { Url = "https://api.acme.example/me" } }).Keys);
    }

    [Fact]
    public void A_setting_fills_the_request_token_url_and_cannot_take_it_off_the_apps_domain()
    {
        var eu = ConnectionUrls.Resolve(Photos, new Dictionary<string, string> { ["region"] = "eu" }, allowLoopbackHttp: false, out var none);

        Assert.Empty(none);
        Assert.Equal("https://eu.acme.example/oauth/request_token", eu!.OAuth!.RequestTokenUrl);
        Assert.Null(ConnectionUrls.Resolve(Photos, new Dictionary<string, string> { ["region"] = "evil.example/" }, allowLoopbackHttp: false, out var errors));
        Assert.Contains("oauth.requestTokenUrl", errors.Keys);
    }

    [Fact]
    public void Only_an_oauth1_app_names_a_request_token_url_and_the_catalog_file_reads_the_type()
    {
        var oauth2 = Photos with { AuthType = AuthType.OAuth2, Settings = [], OAuth = Photos.OAuth! with { RequestTokenUrl = "https://www.acme.example/oauth/request_token" } };

        Assert.Contains("oauth.requestTokenUrl", AppDefinitionRules.Validate(oauth2).Keys);
        Assert.Equal(AuthType.OAuth1, System.Text.Json.JsonSerializer.Deserialize<AuthType>("\"oauth1\""));
    }
}

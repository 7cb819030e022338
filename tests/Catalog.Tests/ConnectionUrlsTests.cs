using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

/// <summary>Settings and captured values fill an app's URLs, and no value can take a credential off the app's hosts.</summary>
public sealed class ConnectionUrlsTests
{
    private static readonly string[] NoHosts = [];

    private static AppDefinition Shop => TestApps.OAuth("shop") with
    {
        Settings = [new ConnectionSetting { Name = "shop", Label = "Shop", Pattern = "^[a-z0-9][a-z0-9-]*$" }],
        OAuth = TestApps.OAuth("shop").OAuth! with
        {
            AuthorizeUrl = "https://{{shop}}.myshopify.com/admin/oauth/authorize",
            TokenUrl = "https://{{shop}}.myshopify.com/admin/oauth/access_token",
        },
        Api = new ApiSettings { BaseUrl = "https://{{shop}}.myshopify.com/admin/api/2025-01" },
    };

    private static AppDefinition Salesforce => TestApps.OAuth("sf") with
    {
        Settings = [new ConnectionSetting { Name = "environment", Label = "Environment", Choices = ["login", "test"], Default = "login" }],
        Hosts = ["salesforce.com", "force.com"],
        OAuth = TestApps.OAuth("sf").OAuth! with
        {
            AuthorizeUrl = "https://{{environment}}.salesforce.com/services/oauth2/authorize",
            TokenUrl = "https://{{environment}}.salesforce.com/services/oauth2/token",
            RevokeUrl = "{{instance_url}}/services/oauth2/revoke",
            TokenResponse = new TokenResponseQuirks { Captures = new Dictionary<string, string> { ["instance_url"] = "instance_url" } },
        },
        Api = new ApiSettings { BaseUrl = "{{instance_url}}/services/data/v62.0" },
    };

    [Fact]
    public void A_setting_fills_the_host_and_a_captured_instance_fills_a_whole_origin()
    {
        var shop = ConnectionUrls.Resolve(Shop, new Dictionary<string, string> { ["shop"] = "acme-store" }, allowLoopbackHttp: false, out var shopErrors);
        var sf = ConnectionUrls.Resolve(Salesforce, new Dictionary<string, string> { ["environment"] = "test", ["instance_url"] = "https://acme.my.salesforce.com" }, false, out var sfErrors);

        Assert.Empty(shopErrors);
        Assert.Equal("https://acme-store.myshopify.com/admin/oauth/access_token", shop!.OAuth!.TokenUrl);
        Assert.Equal("https://acme-store.myshopify.com/admin/api/2025-01", shop.Api!.BaseUrl);
        Assert.Empty(sfErrors);
        Assert.Equal("https://test.salesforce.com/services/oauth2/authorize", sf!.OAuth!.AuthorizeUrl);
        Assert.Equal("https://acme.my.salesforce.com/services/oauth2/revoke", sf.OAuth.RevokeUrl);
        Assert.Equal("https://acme.my.salesforce.com/services/data/v62.0", sf.Api!.BaseUrl);
    }

    [Theory]
    [InlineData("evil.com/")]
    [InlineData("evil.com/x?")]
    [InlineData("evil.com#")]
    [InlineData("evil.com\\")]
    [InlineData("user@evil.com")]
    [InlineData("evil.com:443")]
    [InlineData("evil.com%2F")]
    [InlineData("evil.com%00")]
    [InlineData("-bad")]
    [InlineData("a..b")]
    [InlineData("acme\u202E")]
    [InlineData("acme\n")]
    [InlineData(" acme")]
    [InlineData("ac me")]
    [InlineData("ａｃｍｅ")]
    public void A_shop_that_is_not_a_host_label_cannot_send_a_token_elsewhere(string shop)
    {
        var url = ConnectionUrls.Fill("https://{{shop}}.myshopify.com/admin/oauth/access_token", new Dictionary<string, string> { ["shop"] = shop }, NoHosts, false, out var problem);

        Assert.Null(url);
        Assert.Contains("'shop'", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(shop.Trim(), problem!.Replace("'shop'", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example")]
    [InlineData("https://salesforce.com.evil.example")]
    [InlineData("https://evilsalesforce.com")]
    [InlineData("http://acme.my.salesforce.com")]
    [InlineData("https://acme.my.salesforce.com/extra")]
    [InlineData("https://acme.my.salesforce.com?x=1")]
    [InlineData("https://user@acme.my.salesforce.com")]
    [InlineData("https://10.0.0.1")]
    [InlineData("acme.my.salesforce.com")]
    [InlineData("javascript:alert(1)")]
    public void A_captured_origin_off_the_apps_hosts_is_refused(string instance)
    {
        var url = ConnectionUrls.Fill("{{instance_url}}/services/data", new Dictionary<string, string> { ["instance_url"] = instance }, Salesforce.Hosts, false, out var problem);

        Assert.Null(url);
        Assert.NotNull(problem);
    }

    [Fact]
    public void A_subdomain_is_only_ever_under_the_templates_own_domain_and_a_missing_value_is_named()
    {
        var deep = ConnectionUrls.Fill("https://{{sub}}.zendesk.com/api", new Dictionary<string, string> { ["sub"] = "a.b" }, NoHosts, false, out _);
        var missing = ConnectionUrls.Fill("https://{{sub}}.zendesk.com/api", new Dictionary<string, string>(), NoHosts, false, out var missingProblem);
        var bare = ConnectionUrls.Fill("https://{{domain}}/oauth2", new Dictionary<string, string> { ["domain"] = "acme.okta.com" }, NoHosts, false, out var bareProblem);
        var okta = ConnectionUrls.Fill("https://{{domain}}/oauth2", new Dictionary<string, string> { ["domain"] = "acme.okta.com" }, ["okta.com"], false, out _);
        var path = ConnectionUrls.Fill("https://api.example.com/{{org}}/x", new Dictionary<string, string> { ["org"] = "../../admin?x=#" }, NoHosts, false, out _);

        Assert.Equal("https://a.b.zendesk.com/api", deep);
        Assert.Null(missing);
        Assert.Contains("'sub'", missingProblem, StringComparison.Ordinal);
        Assert.Null(bare);
        Assert.Contains("names none", bareProblem, StringComparison.Ordinal);
        Assert.Equal("https://acme.okta.com/oauth2", okta);
        Assert.Equal("https://api.example.com/..%2F..%2Fadmin%3Fx%3D%23/x", path);
        Assert.Equal("api.example.com", new Uri(path!).Host);
    }

    [Fact]
    public void Settings_are_checked_against_what_the_app_asks()
    {
        var good = ConnectionSettings.Read(Salesforce, new Dictionary<string, string>(), out var none);
        var bad = ConnectionSettings.Read(Salesforce, new Dictionary<string, string> { ["environment"] = "prod", ["shop"] = "x" }, out var errors);
        var missing = ConnectionSettings.Read(Shop, new Dictionary<string, string> { ["shop"] = "" }, out var missingErrors);
        var hidden = ConnectionSettings.Read(Shop, new Dictionary<string, string> { ["shop"] = "acme\u200B" }, out var hiddenErrors);
        var tooLong = ConnectionSettings.Read(Shop, new Dictionary<string, string> { ["shop"] = new string('a', 300) }, out var longErrors);

        Assert.Empty(none);
        Assert.Equal("login", good!["environment"]);
        Assert.Null(bad);
        Assert.Equal(["settings.environment", "settings.shop"], errors.Keys.Order());
        Assert.Null(missing);
        Assert.Contains("required", missingErrors["settings.shop"][0], StringComparison.Ordinal);
        Assert.Null(hidden);
        Assert.Single(hiddenErrors);
        Assert.Null(tooLong);
        Assert.Single(longErrors);
    }

    [Fact]
    public void Token_options_take_an_apps_own_parameters_and_paths_but_never_a_parameter_the_service_sets()
    {
        var oauth = TestApps.OAuth("acme").OAuth!;
        var good = TestApps.OAuth("acme") with
        {
            OAuth = oauth with
            {
                TokenRequestFormat = TokenRequestFormat.Json,
                TokenParameters = new Dictionary<string, string> { ["audience"] = "https://api.acme.example" },
                RefreshUrl = "https://acme.example/refresh",
                TokenResponse = new TokenResponseQuirks { ExpiresAtPath = "data.expires_at", ErrorPath = "errors.0.code", ExpiryFromJwt = true },
            },
        };
        Assert.Empty(AppDefinitionRules.Validate(good));

        foreach (var reserved in new[] { "grant_type", "Client_Secret", "code", "refresh_token", "redirect_uri", "code_verifier", "client_assertion" })
            Assert.Contains("oauth.tokenParameters", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { TokenParameters = new Dictionary<string, string> { [reserved] = "x" } } }).Keys);
        Assert.Contains("oauth.tokenParameters", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { TokenParameters = new Dictionary<string, string> { ["audience"] = "a\nb" } } }).Keys);
        Assert.Contains("oauth.tokenResponse.errorPath", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { TokenResponse = new TokenResponseQuirks { ErrorPath = "a..b" } } }).Keys);
        Assert.Contains("oauth.tokenResponse.expiresAtPath", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { TokenResponse = new TokenResponseQuirks { ExpiresAtPath = "a b" } } }).Keys);
        Assert.Contains("oauth.refreshUrl", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { RefreshUrl = "http://acme.example/refresh" } }).Keys);
        Assert.Contains("oauth.tokenRequestFormat", AppDefinitionRules.Validate(good with { OAuth = good.OAuth! with { TokenRequestFormat = (TokenRequestFormat)7 } }).Keys);
    }

    [Fact]
    public void The_catalog_takes_settings_hosts_and_captures_and_refuses_urls_that_could_go_anywhere()
    {
        Assert.Empty(AppDefinitionRules.Validate(Shop));
        Assert.Empty(AppDefinitionRules.Validate(Salesforce));

        var anywhere = Salesforce with { Hosts = [] };
        var unnamed = Shop with { OAuth = Shop.OAuth! with { TokenUrl = "https://{{store}}.myshopify.com/token" } };
        var captureBeforeExchange = Salesforce with { OAuth = Salesforce.OAuth! with { TokenUrl = "{{instance_url}}/services/oauth2/token" } };
        var clash = Shop with { Settings = [.. Shop.Settings, new ConnectionSetting { Name = "access_token", Label = "Token" }] };
        var badDefault = Salesforce with { Settings = [Salesforce.Settings[0] with { Default = "prod" }] };
        var badHost = Salesforce with { Hosts = ["Salesforce.com", "com", "a b"] };
        var tokenInBase = Shop with { Api = new ApiSettings { BaseUrl = "https://{{shop}}.myshopify.com/{{access_token}}" } };

        Assert.Contains("oauth.revokeUrl", AppDefinitionRules.Validate(anywhere).Keys);
        Assert.Contains("api.baseUrl", AppDefinitionRules.Validate(anywhere).Keys);
        Assert.Contains("oauth.tokenUrl", AppDefinitionRules.Validate(unnamed).Keys);
        Assert.Contains("oauth.tokenUrl", AppDefinitionRules.Validate(captureBeforeExchange).Keys);
        Assert.Contains("settings[1].name", AppDefinitionRules.Validate(clash).Keys);
        Assert.Contains("settings[0].default", AppDefinitionRules.Validate(badDefault).Keys);
        Assert.Equal(3, AppDefinitionRules.Validate(badHost)["hosts"].Length);
        Assert.Contains("api.baseUrl", AppDefinitionRules.Validate(tokenInBase).Keys);
    }
}

using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class ClientCredentialsRulesTests
{
    private static readonly AppDefinition Machine = new()
    {
        Slug = "acme_m2m",
        Name = "Acme machine client",
        Categories = ["developer-tools"],
        DocsUrl = "https://docs.acme.example/m2m",
        AuthType = AuthType.ClientCredentials,
        OAuth = new OAuthSettings
        {
            TokenUrl = "https://{{tenant}}.acme.example/oauth/token",
            TokenParameters = new Dictionary<string, string> { ["audience"] = "https://{{tenant}}.acme.example/api" },
            GrantType = "account_credentials",
        },
        Fields =
        [
            new KeyField { Name = "tenant", Label = "Tenant", Pattern = "^[a-z0-9-]+$" },
            new KeyField { Name = "client_id", Label = "Client ID" },
            new KeyField { Name = "client_secret", Label = "Client secret", Secret = true },
        ],
        Api = new ApiSettings { BaseUrl = "https://{{tenant}}.acme.example/api" },
    };

    [Fact]
    public void A_client_credentials_app_with_its_own_client_fields_and_a_token_url_passes()
        => Assert.Empty(AppDefinitionRules.Validate(Machine));

    [Fact]
    public void Consent_a_test_request_a_public_secret_a_secret_in_the_token_request_or_a_strange_grant_are_refused()
    {
        var oauth = Machine.OAuth!;
        Assert.Contains("oauth.authorizeUrl", AppDefinitionRules.Validate(Machine with { OAuth = oauth with { AuthorizeUrl = "https://acme.example/authorize" } }).Keys);
        Assert.Contains("testRequest", AppDefinitionRules.Validate(Machine with { TestRequest = new TestRequest { Url = "https://acme.example/me" } }).Keys);
        Assert.Contains("fields", AppDefinitionRules.Validate(Machine with { Fields = [Machine.Fields[0], Machine.Fields[1], Machine.Fields[2] with { Secret = false }] }).Keys);
        Assert.Contains("fields", AppDefinitionRules.Validate(Machine with { Fields = [Machine.Fields[0], Machine.Fields[2]] }).Keys);
        Assert.Contains("oauth.tokenParameters", AppDefinitionRules.Validate(Machine with { OAuth = oauth with { TokenParameters = new Dictionary<string, string> { ["assertion"] = "{{client_secret}}" } } }).Keys);
        Assert.Contains("oauth.tokenParameters", AppDefinitionRules.Validate(Machine with { OAuth = oauth with { TokenParameters = new Dictionary<string, string> { ["audience"] = "{{client_secret}}" } } }).Keys);
        Assert.Contains("oauth.grantType", AppDefinitionRules.Validate(Machine with { OAuth = oauth with { GrantType = "client credentials" } }).Keys);
        Assert.Contains("oauth", AppDefinitionRules.Validate(Machine with { OAuth = null }).Keys);
    }

    [Fact]
    public void A_token_url_whose_whole_host_a_field_fills_needs_the_apps_hosts()
    {
        var anywhere = Machine with { OAuth = Machine.OAuth! with { TokenUrl = "https://{{tenant}}/oauth/token" } };

        Assert.Contains("oauth.tokenUrl", AppDefinitionRules.Validate(anywhere).Keys);
        Assert.DoesNotContain("oauth.tokenUrl", AppDefinitionRules.Validate(anywhere with { Hosts = ["acme.example"] }).Keys);
    }
}

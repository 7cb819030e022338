using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

/// <summary>Long-lived exchanges and renewals (Instagram's, Threads', Facebook's), as the catalog takes them.</summary>
public sealed class TokenCallRulesTests
{
    private static readonly TokenCallSettings Exchange = new()
    {
        Url = "https://graph.acme.example/access_token",
        Parameters = new Dictionary<string, string>
        {
            ["grant_type"] = "acme_exchange_token", ["client_secret"] = "{{client_secret}}", ["access_token"] = "{{access_token}}",
        },
    };

    private static AppDefinition With(TokenCallSettings? exchange, TokenCallSettings? renewal = null)
    {
        var app = TestApps.OAuth("acme");
        return app with { OAuth = app.OAuth! with { Exchange = exchange, Renewal = renewal } };
    }

    [Fact]
    public void An_exchange_and_a_renewal_at_fixed_https_addresses_that_trade_the_token_pass()
        => Assert.Empty(AppDefinitionRules.Validate(With(Exchange, Exchange with { Url = "https://graph.acme.example/refresh_access_token", Method = "POST" })));

    [Theory]
    [InlineData("http://graph.acme.example/access_token", "GET", "{{access_token}}", "oauth.exchange.url")]
    [InlineData("https://{{shop}}.acme.example/access_token", "GET", "{{access_token}}", "oauth.exchange.url")]
    [InlineData("https://graph.acme.example/access_token", "PUT", "{{access_token}}", "oauth.exchange.method")]
    [InlineData("https://graph.acme.example/access_token", "GET", "{{refresh_token}}", "oauth.exchange.parameters")]
    [InlineData("https://graph.acme.example/access_token", "GET", "{{api_key}}", "oauth.exchange.parameters")]
    [InlineData("https://graph.acme.example/access_token", "GET", "{{access_token}}\n", "oauth.exchange.parameters")]
    public void An_address_with_placeholders_an_odd_method_or_parameters_naming_anything_but_the_token_and_client_are_refused(
        string url, string method, string token, string key)
    {
        var call = Exchange with { Url = url, Method = method, Parameters = new Dictionary<string, string> { ["access_token"] = token } };

        Assert.Contains(key, AppDefinitionRules.Validate(With(call)).Keys);
    }

    [Fact]
    public void A_call_that_does_not_carry_the_token_or_an_app_that_fetches_its_own_tokens_is_refused()
    {
        var noToken = Exchange with { Parameters = new Dictionary<string, string> { ["grant_type"] = "x" } };
        var machine = TestApps.OAuth("acme") with { AuthType = AuthType.ClientCredentials, Fields = [TestApps.Field("client_id"), TestApps.Field("client_secret") with { Secret = true }] };

        Assert.Contains("oauth.renewal.parameters", AppDefinitionRules.Validate(With(null, noToken)).Keys);
        Assert.Contains("oauth", AppDefinitionRules.Validate(machine with { OAuth = machine.OAuth! with { AuthorizeUrl = "", Exchange = Exchange } }).Keys);
    }
}

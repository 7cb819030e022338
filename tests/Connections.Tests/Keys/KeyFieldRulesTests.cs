using Accounts.Orleans.Connections.Keys;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Connections.Tests.Keys;

public sealed class KeyFieldRulesTests
{
    private static AppDefinition App(params KeyField[] fields) => new()
    {
        Slug = "acme",
        Name = "Acme",
        Categories = ["crm"],
        DocsUrl = "https://acme.example/docs",
        AuthType = AuthType.Keys,
        Fields = fields,
    };

    private static readonly KeyField ApiKey = new() { Name = "api_key", Label = "API key", Secret = true, Pattern = "^ak_[a-z0-9]{8}$", MaxLength = 64 };

    [Fact]
    public void Values_that_follow_the_rules_come_back_trimmed()
    {
        var (values, errors) = KeyFieldRules.Check(App(ApiKey), new Dictionary<string, string> { ["api_key"] = " ak_abcd1234\n" });

        Assert.Empty(errors);
        Assert.Equal("ak_abcd1234", values["api_key"]);
    }

    [Fact]
    public void A_pattern_must_match_the_whole_value_whatever_its_anchors_say()
    {
        var loose = new KeyField { Name = "token", Label = "Token", Pattern = "^a|b$" };

        var (_, errors) = KeyFieldRules.Check(App(loose), new Dictionary<string, string> { ["token"] = "xxxxb" });

        Assert.Contains("fields.token", errors.Keys);
    }

    [Theory]
    [InlineData(null, "is required")]
    [InlineData("ak_ABCD1234", "expected format")]
    [InlineData("ak_abcd\u00001234", "control characters")]
    [InlineData("ak_abcd\u2028123", "control characters")]
    public void A_bad_value_is_reported_under_its_field_without_echoing_it(string? value, string message)
    {
        var submitted = new Dictionary<string, string>();
        if (value is not null) submitted["api_key"] = value;

        var (values, errors) = KeyFieldRules.Check(App(ApiKey), submitted);

        var error = Assert.Single(errors["fields.api_key"]);
        Assert.Contains(message, error, StringComparison.Ordinal);
        if (value is not null) Assert.DoesNotContain(value, error, StringComparison.Ordinal);
        Assert.Empty(values);
    }

    [Fact]
    public void An_over_long_value_is_refused_before_its_pattern_runs()
    {
        var (_, errors) = KeyFieldRules.Check(App(ApiKey), new Dictionary<string, string> { ["api_key"] = new string('a', 65) });

        Assert.Contains("at most 64", Assert.Single(errors["fields.api_key"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_fields_and_oauth_apps_are_refused()
    {
        var (_, unknown) = KeyFieldRules.Check(App(ApiKey), new Dictionary<string, string> { ["api_key"] = "ak_abcd1234", ["extra"] = "x" });
        var (_, oauth) = KeyFieldRules.Check(App(ApiKey) with { AuthType = AuthType.OAuth2 }, new Dictionary<string, string>());

        Assert.Contains("fields.extra", unknown.Keys);
        Assert.Contains("appSlug", oauth.Keys);
    }

    [Fact]
    public void An_optional_field_may_be_left_out()
    {
        var region = new KeyField { Name = "region", Label = "Region", Required = false, Pattern = "^(eu|us)$" };

        var (values, errors) = KeyFieldRules.Check(App(ApiKey, region), new Dictionary<string, string> { ["api_key"] = "ak_abcd1234" });

        Assert.Empty(errors);
        Assert.False(values.ContainsKey("region"));
    }
}

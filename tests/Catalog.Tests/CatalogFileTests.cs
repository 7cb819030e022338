using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class CatalogFileTests
{
    private const string Source = "/etc/accounts/catalog.json";

    [Fact]
    public void Misspelled_property_is_rejected_with_the_source_and_the_property_in_the_message()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme")]).Replace("\"authorizeUrl\"", "\"authorizeURL\"", StringComparison.Ordinal);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.StartsWith(Source, e.Message, StringComparison.Ordinal);
        Assert.Contains("authorizeURL", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("2")]
    public void Unsupported_format_version_is_rejected(string version)
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme")]).Replace("\"formatVersion\": 1", $"\"formatVersion\": {version}", StringComparison.Ordinal);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.Contains($"formatVersion {version}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_property_given_twice_is_rejected_rather_than_the_second_quietly_winning()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme")])
            .Replace("\"tokenUrl\":", "\"tokenUrl\": \"https://acme.example/token\", \"tokenUrl\":", StringComparison.Ordinal);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.StartsWith(Source, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_slugs_are_rejected()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme"), TestApps.Keys("acme")]);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.Contains("'acme' appears twice", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_that_is_another_apps_slug_is_rejected()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme") with { Aliases = ["globex"] }, TestApps.Keys("globex")]);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.Contains("'globex' names both 'acme' and 'globex'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_app_is_rejected_with_its_index_slug_and_key()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme"), TestApps.OAuth("globex") with { Categories = ["gardening"] }]);

        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.Contains("apps[1] (globex).categories", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"formatVersion\": 1, \"apps\": [ ")]
    [InlineData("{ \"formatVersion\": 1 \"apps\": [] }")]
    [InlineData("not json")]
    public void Json_syntax_error_is_rejected_with_the_source(string json)
    {
        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.StartsWith(Source, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"formatVersion\": 1 }")]
    [InlineData("{ \"formatVersion\": 1, \"apps\": null }")]
    [InlineData("null")]
    public void File_without_apps_is_rejected(string json)
    {
        var e = Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));

        Assert.StartsWith(Source, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Comments_and_trailing_commas_are_accepted()
    {
        const string json = """
            {
              // written by hand
              "formatVersion": 1,
              "apps": [
                {
                  "slug": "acme", /* the one we use */
                  "name": "Acme",
                  "categories": ["crm",],
                  "docsUrl": "https://docs.acme.example.com/",
                  "authType": "keys",
                  "fields": [{ "name": "api_key", "label": "API key", "secret": true, },],
                },
              ],
            }
            """;

        var app = Assert.Single(CatalogFile.Parse(json, Source));

        Assert.Equal("acme", app.Slug);
        Assert.Equal(AuthType.Keys, app.AuthType);
        Assert.Equal(["crm"], app.Categories);
        Assert.Equal("api_key", Assert.Single(app.Fields).Name);
    }

    [Fact]
    public void Written_apps_parse_back_to_the_same_definitions()
    {
        AppDefinition[] apps =
        [
            TestApps.OAuth("acme") with { Aliases = ["acme_corp"], Categories = ["crm", "marketing"] },
            TestApps.Keys("globex") with
            {
                Fields = [TestApps.Field("user"), TestApps.Field("token") with { Secret = false, HelpText = "Settings > API", MaxLength = 64 }],
                TestRequest = new TestRequest
                {
                    Method = "POST",
                    Url = "https://api.globex.example.com/check",
                    Headers = new Dictionary<string, string> { ["Authorization"] = "Basic {{basic:user:token}}" },
                    Body = "{}",
                    SuccessStatuses = [200, 204],
                },
            },
        ];

        var json = CatalogFile.Write(apps);
        var parsed = CatalogFile.Parse(json, Source);

        Assert.Equal(json, CatalogFile.Write(parsed));
        Assert.Equal(["acme", "globex"], parsed.Select(a => a.Slug));
        Assert.Equal(apps[0].OAuth!.AuthorizeUrl, parsed[0].OAuth!.AuthorizeUrl);
        Assert.Equal(["acme_corp"], parsed[0].Aliases);
        Assert.Equal(AuthType.Keys, parsed[1].AuthType);
        Assert.Equal([200, 204], parsed[1].TestRequest!.SuccessStatuses);
        Assert.Equal(apps[1].Fields[1], parsed[1].Fields[1]);
    }

    [Fact]
    public void Loopback_http_endpoints_parse_only_when_the_caller_allows_them()
    {
        var json = CatalogFile.Write([TestApps.OAuth("acme") with
        {
            OAuth = TestApps.OAuth("acme").OAuth! with { TokenUrl = "http://127.0.0.1:5099/token" },
        }]);

        Assert.Throws<CatalogFileException>(() => CatalogFile.Parse(json, Source));
        Assert.Single(CatalogFile.Parse(json, Source, allowLoopbackHttp: true));
    }
}

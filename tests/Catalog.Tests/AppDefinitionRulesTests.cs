using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class AppDefinitionRulesTests
{
    [Fact]
    public void Valid_oauth2_definition_passes() => Assert.Empty(AppDefinitionRules.Validate(TestApps.OAuth("acme")));

    [Fact]
    public void Valid_keys_definition_passes() => Assert.Empty(AppDefinitionRules.Validate(TestApps.Keys("acme")));

    [Fact]
    public void An_api_for_the_proxy_passes_with_its_credential_in_a_header_the_query_or_basic()
    {
        Assert.Empty(AppDefinitionRules.Validate(TestApps.OAuth("acme") with { Api = new ApiSettings { BaseUrl = "https://api.acme.example/v2" } }));
        foreach (var api in new[]
        {
            new ApiSettings { BaseUrl = "https://api.acme.example", Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{api_key}}", ["Acme-Version"] = "2024-01" } },
            new ApiSettings { BaseUrl = "https://api.acme.example", Query = new Dictionary<string, string> { ["key"] = "{{api_key}}" } },
            new ApiSettings { BaseUrl = "https://api.acme.example", Headers = new Dictionary<string, string> { ["Authorization"] = "Basic {{basic:api_key:}}" } },
        })
            Assert.Empty(AppDefinitionRules.Validate(TestApps.Keys("acme") with { Api = api }));
    }

    [Theory]
    [InlineData("http://api.acme.example", "Authorization", "Bearer {{api_key}}", "api.baseUrl")]
    [InlineData("https://api.acme.example/v1?key=1", "Authorization", "Bearer {{api_key}}", "api.baseUrl")]
    [InlineData("https://api.acme.example", "Authorization", "Bearer {{password}}", "api")]
    [InlineData("https://api.acme.example", "Acme-Version", "2024-01", "api")]
    [InlineData("https://api.acme.example", "bad name", "{{api_key}}", "api.headers")]
    public void An_api_that_is_not_https_names_no_field_or_carries_no_secret_is_refused(string baseUrl, string header, string value, string key)
    {
        var app = TestApps.Keys("acme") with { Api = new ApiSettings { BaseUrl = baseUrl, Headers = new Dictionary<string, string> { [header] = value } } };

        Assert.Contains(key, AppDefinitionRules.Validate(app).Keys);
    }

    [Theory]
    [InlineData("http://auth.acme.example.com/authorize", false)]
    [InlineData("http://auth.acme.example.com/authorize", true)]
    [InlineData("https://user:secret@auth.acme.example.com/authorize", false)]
    [InlineData("https://user@auth.acme.example.com/authorize", true)]
    [InlineData("/authorize", false)]
    [InlineData("ftp://auth.acme.example.com/authorize", false)]
    public void Authorize_url_that_is_not_plain_https_is_rejected(string url, bool allowLoopbackHttp)
    {
        var app = WithOAuth(TestApps.OAuth("acme"), o => o with { AuthorizeUrl = url });

        AssertRejected(app, "oauth.authorizeUrl", allowLoopbackHttp);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/authorize")]
    [InlineData("http://localhost:5000/authorize")]
    [InlineData("http://[::1]:5000/authorize")]
    public void Loopback_http_url_is_accepted_only_when_allowed(string url)
    {
        var app = WithOAuth(TestApps.OAuth("acme"), o => o with { AuthorizeUrl = url, TokenUrl = url });

        Assert.Empty(AppDefinitionRules.Validate(app, allowLoopbackHttp: true));
        var errors = AppDefinitionRules.Validate(app, allowLoopbackHttp: false);
        Assert.Contains("oauth.authorizeUrl", errors.Keys);
        Assert.Contains("oauth.tokenUrl", errors.Keys);
    }

    [Fact]
    public void Docs_url_with_user_info_is_rejected()
        => AssertRejected(TestApps.Keys("acme") with { DocsUrl = "https://admin:hunter2@docs.acme.example.com/" }, "docsUrl");

    [Fact]
    public void Oauth2_app_without_oauth_settings_is_rejected()
        => AssertRejected(TestApps.OAuth("acme") with { OAuth = null }, "oauth");

    [Fact]
    public void Keys_app_with_oauth_settings_is_rejected()
        => AssertRejected(TestApps.Keys("acme") with { OAuth = TestApps.OAuth("acme").OAuth }, "oauth");

    [Fact]
    public void Keys_app_without_fields_is_rejected()
        => AssertRejected(TestApps.Keys("acme") with { Fields = [], TestRequest = null }, "fields");

    [Fact]
    public void Oauth2_app_with_a_test_request_is_rejected()
        => AssertRejected(TestApps.OAuth("acme") with { TestRequest = TestApps.Keys("acme").TestRequest }, "testRequest");

    [Theory]
    [InlineData("Acme\u202Egnp.exe")]
    [InlineData("Ac\u200Bme")]
    [InlineData("Acme\u2028Corp")]
    [InlineData("Acme\u0007")]
    public void Text_a_person_reads_refuses_control_and_bidi_characters(string text)
    {
        AssertRejected(TestApps.Keys("acme") with { Name = text }, "name");
        AssertRejected(TestApps.Keys("acme") with { Description = text }, "description");
        AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field("api_key") with { Label = text }], TestRequest = null }, "fields[0].label");
        AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field("api_key") with { HelpText = text }], TestRequest = null }, "fields[0].helpText");
    }

    [Fact]
    public void Field_name_used_twice_is_rejected()
        => AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field("api_key"), TestApps.Field("api_key")] }, "fields[1].name");

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("api-key")]
    [InlineData("1key")]
    [InlineData("_key")]
    [InlineData("")]
    public void Field_name_that_is_not_snake_case_is_rejected(string name)
        => AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field(name)], TestRequest = null }, "fields[0].name");

    [Theory]
    [InlineData("[a-z]+")]
    [InlineData("^[a-z]+")]
    [InlineData("[a-z]+$")]
    public void Field_pattern_without_anchors_is_rejected(string pattern)
        => AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field("api_key", pattern)] }, "fields[0].pattern");

    [Theory]
    [InlineData("^[a-z$")]
    [InlineData("^(abc$")]
    [InlineData("^a{2,1}$")]
    public void Field_pattern_that_does_not_compile_is_rejected(string pattern)
        => AssertRejected(TestApps.Keys("acme") with { Fields = [TestApps.Field("api_key", pattern)] }, "fields[0].pattern");

    [Theory]
    [InlineData("https://api.acme.example.com/{{account}}/me", null)]
    [InlineData("https://api.acme.example.com/me", "{\"key\":\"{{apikey}}\"}")]
    public void Test_request_placeholder_that_names_no_field_is_rejected(string url, string? body)
    {
        var app = TestApps.Keys("acme");
        app = app with { TestRequest = app.TestRequest! with { Url = url, Body = body } };

        AssertRejected(app, "testRequest");
    }

    [Fact]
    public void Basic_placeholder_reads_both_of_its_fields()
    {
        var app = TestApps.Keys("acme") with
        {
            Fields = [TestApps.Field("username"), TestApps.Field("password")],
            TestRequest = new TestRequest
            {
                Url = "https://api.acme.example.com/me",
                Headers = new Dictionary<string, string> { ["Authorization"] = "Basic {{basic:username:password}}" },
            },
        };

        Assert.Equal(["username", "password"], TestRequestTemplate.FieldsOf("basic:username:password"));
        Assert.Empty(AppDefinitionRules.Validate(app));
        AssertRejected(app with { Fields = [TestApps.Field("username")] }, "testRequest");
        AssertRejected(app with { Fields = [TestApps.Field("password")] }, "testRequest");
    }

    [Fact]
    public void Basic_placeholder_with_an_empty_part_reads_only_the_other_field()
        => Assert.Equal(["token"], TestRequestTemplate.FieldsOf("basic:token:"));

    [Theory]
    [InlineData("basic:api_token:'api_token'", "tok-1:api_token")]  // Toggl: the token, then the word api_token
    [InlineData("basic:api_key:'X'", "key-1:X")]                    // Freshdesk
    [InlineData("basic:'api':api_key", "api:key-1")]                // Mailgun
    [InlineData("basic:'':api_key", ":key-1")]
    public void Basic_placeholder_takes_a_literal_user_or_password_in_single_quotes(string placeholder, string pair)
    {
        var values = new Dictionary<string, string> { ["api_token"] = "tok-1", ["api_key"] = "key-1" };

        var filled = TestRequestTemplate.Fill($"Basic {{{{{placeholder}}}}}", values);

        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(pair)), filled);
        Assert.Single(TestRequestTemplate.FieldsOf(placeholder));
        var app = TestApps.Keys("acme") with
        {
            Fields = [TestApps.Field("api_token") with { Secret = true }, TestApps.Field("api_key") with { Secret = true }],
            TestRequest = new TestRequest { Url = "https://api.acme.example.com/me", Headers = new Dictionary<string, string> { ["Authorization"] = $"Basic {{{{{placeholder}}}}}" } },
        };
        Assert.Empty(AppDefinitionRules.Validate(app));
    }

    [Theory]
    [InlineData("state")]
    [InlineData("redirect_uri")]
    [InlineData("client_id")]
    [InlineData("client_secret")]
    [InlineData("scope")]
    [InlineData("response_type")]
    [InlineData("code_challenge")]
    [InlineData("code_challenge_method")]
    [InlineData("State")]
    [InlineData("REDIRECT_URI")]
    [InlineData("response_mode")]
    [InlineData("Response_Mode")]
    [InlineData("request_uri")]
    [InlineData("request")]
    [InlineData("code_verifier")]
    public void Authorize_parameter_the_service_controls_is_rejected(string parameter)
    {
        var app = WithOAuth(TestApps.OAuth("acme"), o => o with
        {
            AuthorizeParameters = new Dictionary<string, string> { ["prompt"] = "consent", [parameter] = "x" },
        });

        AssertRejected(app, "oauth.authorizeParameters");
    }

    [Theory]
    [InlineData(" ", "read write")]
    [InlineData(",", "read,write")]
    [InlineData("+", "read+write")]
    public void Scope_containing_the_separator_is_rejected(string separator, string scope)
    {
        var app = WithOAuth(TestApps.OAuth("acme"), o => o with { ScopeSeparator = separator, DefaultScopes = ["profile", scope] });

        AssertRejected(app, "oauth.defaultScopes");
    }

    [Fact]
    public void Unknown_category_is_rejected()
        => AssertRejected(TestApps.OAuth("acme") with { Categories = ["productivity", "gardening"] }, "categories");

    [Fact]
    public void Name_longer_than_100_characters_is_rejected()
    {
        var app = TestApps.OAuth("acme");

        Assert.Empty(AppDefinitionRules.Validate(app with { Name = new string('n', 100) }));
        AssertRejected(app with { Name = new string('n', 101) }, "name");
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("a")]
    [InlineData("1acme")]
    [InlineData("acme-corp")]
    [InlineData("a2345678901234567890123456789012345678901234567890123456789012345")]
    public void Malformed_slug_is_rejected(string slug) => AssertRejected(TestApps.OAuth("acme") with { Slug = slug }, "slug");

    [Theory]
    [InlineData("ab")]
    [InlineData("a234567890123456789012345678901234567890123456789012345678901234")]
    public void Slug_of_two_to_sixty_four_characters_passes(string slug)
        => Assert.Empty(AppDefinitionRules.Validate(TestApps.OAuth("acme") with { Slug = slug }));

    [Fact]
    public void Slug_with_a_trailing_newline_is_rejected()
        => AssertRejected(TestApps.OAuth("acme") with { Slug = "acme\n" }, "slug");

    private static AppDefinition WithOAuth(AppDefinition app, Func<OAuthSettings, OAuthSettings> change)
        => app with { OAuth = change(app.OAuth!) };

    private static void AssertRejected(AppDefinition app, string key, bool allowLoopbackHttp = false)
    {
        var errors = AppDefinitionRules.Validate(app, allowLoopbackHttp);

        Assert.True(errors.ContainsKey(key), $"Expected an error under '{key}'; got: {Describe(errors)}");
        Assert.NotEmpty(errors[key]);
    }

    private static string Describe(IReadOnlyDictionary<string, string[]> errors)
        => errors.Count == 0 ? "none" : string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}

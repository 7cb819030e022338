using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;

namespace Accounts.Orleans.Connections.Tests.Tokens;

public sealed class TokenGrantParsingTests
{
    [Fact]
    public void Rfc_response_becomes_a_grant_with_every_field()
    {
        var grant = GrantFrom("""
            {"access_token":"at-1","token_type":"Bearer","expires_in":3600,"refresh_token":"rt-1","scope":"read write"}
            """);

        Assert.Equal("at-1", grant.AccessToken);
        Assert.Equal("rt-1", grant.RefreshToken);
        Assert.Equal(Now.AddHours(1), grant.ExpiresAt);
        Assert.Equal(["read", "write"], grant.Scopes);
        Assert.Equal("Bearer", grant.TokenType);
        Assert.Null(grant.Identity);
    }

    [Fact]
    public void Minimal_response_leaves_what_the_app_did_not_say_to_the_caller()
    {
        var grant = GrantFrom("""{"access_token":"at-1"}""");

        Assert.Null(grant.RefreshToken);
        Assert.Null(grant.ExpiresAt);
        Assert.Null(grant.Scopes);
        Assert.Equal("Bearer", grant.TokenType);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("text/html")]
    [InlineData(null)]
    [InlineData("application/json; charset=utf-8")]
    public void Json_is_read_whatever_the_content_type_says(string? contentType)
        => Assert.Equal("at-1", Granted(Parse(Answer(200, """{"access_token":"at-1"}""", contentType))).AccessToken);

    [Fact]
    public void Body_with_a_byte_order_mark_is_read()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat("""{"access_token":"at-1"}"""u8.ToArray()).ToArray();

        Assert.Equal("at-1", Granted(Parse(new TokenHttpResponse(200, Json, body, null, false))).AccessToken);
    }

    [Fact]
    public void Slack_user_token_is_read_from_authed_user_with_its_own_lifetime_and_refresh_token()
    {
        // Slack puts the bot token at the top and the user token under authed_user, each with its own fields.
        var quirks = new TokenResponseQuirks
        {
            AccessTokenPath = "authed_user.access_token",
            IdentityPath = "authed_user.id",
            ScopeSeparator = ",",
        };

        var grant = GrantFrom("""
            {
              "ok": true,
              "access_token": "xoxb-bot", "token_type": "bot", "refresh_token": "xoxe-bot", "expires_in": 60, "scope": "commands",
              "authed_user": {
                "id": "U1234", "access_token": "xoxe.xoxp-user", "token_type": "user",
                "refresh_token": "xoxe-1-user", "expires_in": 43200, "scope": "chat:write,channels:history"
              },
              "team": { "id": "T9" }
            }
            """, quirks);

        Assert.Equal("xoxe.xoxp-user", grant.AccessToken);
        Assert.Equal("xoxe-1-user", grant.RefreshToken);
        Assert.Equal(Now.AddHours(12), grant.ExpiresAt);
        Assert.Equal(["chat:write", "channels:history"], grant.Scopes);
        Assert.Equal("Bearer", grant.TokenType);
        Assert.Equal("U1234", grant.Identity);
    }

    [Fact]
    public void Quirk_paths_for_refresh_token_and_scope_are_followed_from_the_top()
    {
        var quirks = new TokenResponseQuirks { RefreshTokenPath = "data.renewal", ScopePath = "data.granted" };

        var grant = GrantFrom("""{"access_token":"at-1","data":{"renewal":"rt-9","granted":"a b"}}""", quirks);

        Assert.Equal("rt-9", grant.RefreshToken);
        Assert.Equal(["a", "b"], grant.Scopes);
    }

    [Fact]
    public void Github_form_encoded_answer_becomes_a_grant()
    {
        var quirks = new TokenResponseQuirks { ScopeSeparator = "," };
        var response = Answer(200, "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo%2Cgist&token_type=bearer", Form);

        var grant = Granted(Parse(response, quirks));

        Assert.Equal("gho_16C7e42F292c6912E7710c838347Ae178B4a", grant.AccessToken);
        Assert.Equal(["repo", "gist"], grant.Scopes);
        Assert.Equal("Bearer", grant.TokenType);
        Assert.Null(grant.ExpiresAt);
    }

    [Fact]
    public void Form_encoded_values_are_url_decoded()
    {
        var grant = Granted(Parse(Answer(200, "access_token=a%2Fb%2Bc&refresh_token=r%3D%3D&expires_in=28800&scope=user+repo", Form)));

        Assert.Equal("a/b+c", grant.AccessToken);
        Assert.Equal("r==", grant.RefreshToken);
        Assert.Equal(Now.AddHours(8), grant.ExpiresAt);
        Assert.Equal(["user", "repo"], grant.Scopes);
    }

    [Fact]
    public void Json_labelled_as_a_form_is_read_as_json()
        => Assert.Equal("at-1", Granted(Parse(Answer(200, """ {"access_token":"at-1"}""", Form))).AccessToken);

    [Theory]
    [InlineData("3600")]
    [InlineData("\"3600\"")]
    [InlineData("3600.0")]
    [InlineData("\" 3600 \"")]
    public void Expires_in_as_a_number_or_a_numeric_string_sets_the_expiry(string expiresIn)
        => Assert.Equal(Now.AddHours(1), GrantFrom($$"""{"access_token":"at-1","expires_in":{{expiresIn}}}""").ExpiresAt);

    [Theory]
    [InlineData("0")]
    [InlineData("-1")]
    [InlineData("\"0\"")]
    [InlineData("null")]
    public void Expires_in_that_is_zero_negative_or_null_means_the_token_does_not_expire(string expiresIn)
        => Assert.Null(GrantFrom($$"""{"access_token":"at-1","expires_in":{{expiresIn}}}""").ExpiresAt);

    [Theory]
    [InlineData("""{"access_token":"at-1"}""")]
    [InlineData("""{"access_token":"at-1","expires_in":0}""")]
    public void Missing_lifetime_falls_back_to_the_apps_default(string json)
    {
        var quirks = new TokenResponseQuirks { DefaultExpiresInSeconds = 7200 };

        Assert.Equal(Now.AddHours(2), GrantFrom(json, quirks).ExpiresAt);
    }

    [Theory]
    [InlineData("315360001")]
    [InlineData("1e12")]
    [InlineData("1e300")]
    [InlineData("\"99999999999999999999\"")]
    public void Absurd_lifetime_is_clamped_to_ten_years(string expiresIn)
        => Assert.Equal(Now.AddDays(3650), GrantFrom($$"""{"access_token":"at-1","expires_in":{{expiresIn}}}""").ExpiresAt);

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    [InlineData("Bearer")]
    public void Token_type_bearer_is_accepted_in_any_case_and_normalized(string tokenType)
        => Assert.Equal("Bearer", GrantFrom($$"""{"access_token":"at-1","token_type":"{{tokenType}}"}""").TokenType);

    [Fact]
    public void Scopes_may_come_as_a_json_array()
        => Assert.Equal(["read", "write"], GrantFrom("""{"access_token":"at-1","scope":["read","write"," ","read"]}""").Scopes);

    [Fact]
    public void Scopes_are_split_on_the_requested_separator_when_the_app_has_no_own()
        => Assert.Equal(["a", "b"], GrantFrom("""{"access_token":"at-1","scope":"a+b"}""", requestedScopeSeparator: "+").Scopes);

    [Fact]
    public void Scopes_are_split_on_the_apps_separator_when_it_differs_from_the_request()
    {
        var quirks = new TokenResponseQuirks { ScopeSeparator = "," };

        Assert.Equal(["repo", "read:org"], GrantFrom("""{"access_token":"at-1","scope":"repo, read:org"}""", quirks).Scopes);
    }

    [Fact]
    public void Empty_scope_string_means_nothing_was_granted()
        => Assert.Equal([], GrantFrom("""{"access_token":"at-1","scope":""}""").Scopes!);

    [Theory]
    [InlineData("""{"refresh_token":""}""")]
    [InlineData("""{"refresh_token":null}""")]
    public void Empty_or_null_refresh_token_counts_as_none(string extra)
    {
        var json = """{"access_token":"at-1",""" + extra[1..];

        Assert.Null(GrantFrom(json).RefreshToken);
    }

    [Theory]
    [InlineData("""{"access_token":"at-1","user":{"id":12345678901234567890}}""", "12345678901234567890")]
    [InlineData("""{"access_token":"at-1","user":{"id":"u-42"}}""", "u-42")]
    [InlineData("""{"access_token":"at-1","user":{"id":true}}""", null)]
    [InlineData("""{"access_token":"at-1","user":{}}""", null)]
    public void Identity_is_read_as_text_from_a_string_or_a_number(string json, string? identity)
        => Assert.Equal(identity, GrantFrom(json, new TokenResponseQuirks { IdentityPath = "user.id" }).Identity);

    [Fact]
    public void Identity_path_may_index_into_an_array()
    {
        var quirks = new TokenResponseQuirks { IdentityPath = "accounts.1.id" };

        Assert.Equal("b", GrantFrom("""{"access_token":"at-1","accounts":[{"id":"a"},{"id":"b"}]}""", quirks).Identity);
    }

    [Fact]
    public void Access_token_wins_over_an_error_field_in_a_success_response()
        => Assert.Equal("at-1", GrantFrom("""{"access_token":"at-1","error":"invalid_grant"}""").AccessToken);

    [Fact]
    public void A_grant_printed_in_a_log_line_shows_neither_token()
    {
        var grant = GrantFrom("""{"access_token":"secret-access","refresh_token":"secret-refresh","scope":"read"}""");

        var printed = new TokenResult.Success(grant).ToString();

        Assert.DoesNotContain("secret-access", printed, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-refresh", printed, StringComparison.Ordinal);
        Assert.Contains("read", printed, StringComparison.Ordinal);
    }
}

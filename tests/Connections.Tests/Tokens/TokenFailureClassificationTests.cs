using Accounts.Orleans.Connections.Tokens;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;
using static Accounts.Orleans.Connections.Tokens.TokenFailureKind;

namespace Accounts.Orleans.Connections.Tests.Tokens;

public sealed class TokenFailureClassificationTests
{
    [Fact]
    public void Invalid_grant_means_the_user_has_to_reconnect()
    {
        var failure = FailureFrom(400, """{"error":"invalid_grant","error_description":"Token has been expired or revoked."}""");

        Assert.Equal(new TokenFailure(NeedsReconnect, "invalid_grant", "the app answered invalid_grant", null), failure);
    }

    [Fact]
    public void An_error_description_that_echoes_what_was_sent_in_any_encoding_is_not_kept()
    {
        var basic = Convert.ToBase64String("accounts-client:s3cret-value"u8.ToArray());
        var failure = FailureFrom(401, $$"""{"error":"invalid_client","error_description":"Basic {{basic}} / s3cret%2Dvalue / s3cret-value"}""");

        Assert.Equal(new TokenFailure(ClientMisconfigured, "invalid_client", "the app answered invalid_client", null), failure);
    }

    [Fact]
    public void Invalid_client_on_401_means_the_operator_has_to_fix_the_client()
    {
        var failure = FailureFrom(401, """{"error":"invalid_client"}""");

        Assert.Equal(new TokenFailure(ClientMisconfigured, "invalid_client", "the app answered invalid_client", null), failure);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("<html>Unauthorized</html>")]
    [InlineData("""{"message":"Unauthorized"}""")]
    public void Http_401_without_an_error_code_means_the_client_is_misconfigured(string? body)
    {
        var failure = FailureFrom(401, body, contentType: body is null ? null : "text/html");

        Assert.Equal(ClientMisconfigured, failure.Kind);
        Assert.Equal("the app answered HTTP 401 without an error code", failure.Reason);
    }

    [Theory]
    [InlineData("invalid_grant", NeedsReconnect)]
    [InlineData("INVALID_GRANT", NeedsReconnect)]
    [InlineData("interaction_required", NeedsReconnect)]
    [InlineData("consent_required", NeedsReconnect)]
    [InlineData("login_required", NeedsReconnect)]
    [InlineData("bad_verification_code", NeedsReconnect)]
    [InlineData("bad_refresh_token", NeedsReconnect)]
    [InlineData("invalid_code", NeedsReconnect)]
    [InlineData("invalid_refresh_token", NeedsReconnect)]
    [InlineData("invalid_client", ClientMisconfigured)]
    [InlineData("unauthorized_client", ClientMisconfigured)]
    [InlineData("unsupported_grant_type", ClientMisconfigured)]
    [InlineData("invalid_scope", ClientMisconfigured)]
    [InlineData("invalid_request", ClientMisconfigured)]
    [InlineData("incorrect_client_credentials", ClientMisconfigured)]
    [InlineData("redirect_uri_mismatch", ClientMisconfigured)]
    [InlineData("invalid_client_id", ClientMisconfigured)]
    [InlineData("bad_client_secret", ClientMisconfigured)]
    [InlineData("bad_redirect_uri", ClientMisconfigured)]
    [InlineData("invalid_grant_type", ClientMisconfigured)]
    [InlineData("temporarily_unavailable", Transient)]
    [InlineData("server_error", Transient)]
    public void Error_code_decides_who_has_to_act(string code, TokenFailureKind kind)
    {
        var failure = FailureFrom(400, $$"""{"error":"{{code}}"}""");

        Assert.Equal(kind, failure.Kind);
        Assert.Equal(code, failure.ErrorCode);
        Assert.Equal($"the app answered {code}", failure.Reason);
    }

    [Fact]
    public void Unknown_error_code_is_malformed_and_named_in_the_reason()
    {
        var failure = FailureFrom(400, """{"error":"quota_wobble"}""");

        Assert.Equal(new TokenFailure(Malformed, "quota_wobble", "the app answered the unknown error code quota_wobble", null), failure);
    }

    [Fact]
    public void Transient_error_code_carries_the_apps_retry_after()
    {
        var failure = Failure(Parse(Answer(400, """{"error":"temporarily_unavailable"}""", retryAfter: TimeSpan.FromSeconds(20))));

        Assert.Equal(TimeSpan.FromSeconds(20), failure.RetryAfter);
    }

    [Fact]
    public void Slack_error_in_a_200_response_is_classified_by_its_code()
    {
        var failure = FailureFrom(200, """{"ok":false,"error":"invalid_code"}""");

        Assert.Equal(NeedsReconnect, failure.Kind);
        Assert.Equal("invalid_code", failure.ErrorCode);
    }

    [Fact]
    public void Json_error_in_a_200_response_is_classified_like_a_400()
        => Assert.Equal(ClientMisconfigured, FailureFrom(200, """{"error":"invalid_client"}""").Kind);

    [Fact]
    public void Github_form_encoded_error_is_classified_by_its_code_and_its_description_is_not_kept()
    {
        var failure = FailureFrom(200,
            "error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.&error_uri=https%3A%2F%2Fdocs.github.com",
            Form);

        Assert.Equal(new TokenFailure(NeedsReconnect, "bad_verification_code",
            "the app answered bad_verification_code", null), failure);
    }

    [Fact]
    public void Form_encoded_error_with_a_latin1_description_is_still_classified()
    {
        var body = "error=invalid_grant&error_description=expir"u8.ToArray().Concat(new byte[] { 0xE9 }).ToArray();

        var failure = Failure(Parse(new TokenHttpResponse(400, Form, body, null, false)));

        Assert.Equal(new TokenFailure(NeedsReconnect, "invalid_grant", "the app answered invalid_grant", null), failure);
    }

    [Fact]
    public void Too_many_requests_is_transient_with_the_apps_retry_after()
    {
        var failure = Failure(Parse(Answer(429, """{"error":"rate_limited"}""", retryAfter: TimeSpan.FromSeconds(90))));

        Assert.Equal(new TokenFailure(Transient, null, "the app answered HTTP 429", TimeSpan.FromSeconds(90)), failure);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(408)]
    public void Server_errors_and_timeouts_are_transient_whatever_the_body_says(int status)
    {
        // A gateway's error page, or even an error code, cannot be trusted to describe the grant on a 5xx.
        var failure = FailureFrom(status, """{"error":"invalid_grant"}""");

        Assert.Equal(new TokenFailure(Transient, null, $"the app answered HTTP {status}", null), failure);
    }

    [Fact]
    public void Service_unavailable_with_retry_after_keeps_the_delay()
    {
        var failure = Failure(Parse(Answer(503, "<html>down</html>", "text/html", retryAfter: TimeSpan.FromMinutes(2))));

        Assert.Equal(TimeSpan.FromMinutes(2), failure.RetryAfter);
    }

    [Theory]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(308)]
    public void Redirect_is_malformed_because_redirects_are_not_followed(int status)
    {
        var failure = FailureFrom(status, null, null);

        Assert.Equal(new TokenFailure(Malformed, null, $"the token endpoint redirected (HTTP {status}); redirects are not followed", null), failure);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    [InlineData(600)]
    [InlineData(-1)]
    public void Status_outside_http_success_and_error_ranges_is_malformed(int status)
        => Assert.Equal(new TokenFailure(Malformed, null, $"the app answered HTTP {status}", null), FailureFrom(status, """{"access_token":"at-1"}"""));

    [Fact]
    public void Truncated_response_is_malformed_even_when_its_start_looks_fine()
    {
        var failure = Failure(Parse(Answer(200, """{"access_token":"at-1","padding":"...""", truncated: true)));

        Assert.Equal(new TokenFailure(Malformed, null, "the response exceeded 64 KiB", null), failure);
    }

    [Fact]
    public void Html_page_with_200_is_malformed_and_names_the_content_type_not_the_body()
    {
        var failure = FailureFrom(200, "<html><body>Sign in to continue, token=at-1</body></html>", "text/html; charset=utf-8");

        Assert.Equal(new TokenFailure(Malformed, null, "the response was not JSON (text/html)", null), failure);
    }

    [Fact]
    public void Non_json_without_a_content_type_says_so()
        => Assert.Equal("the response was not JSON (no content type)", FailureFrom(200, "ok", null).Reason);

    [Fact]
    public void Hostile_content_type_is_not_repeated_in_the_reason()
        => Assert.Equal("the response was not JSON (an unreadable content type)", FailureFrom(200, "ok", "text/html\r\nX-Evil: 1").Reason);

    [Theory]
    [InlineData("")]
    [InlineData("  \r\n")]
    public void Empty_200_response_is_malformed(string body)
        => Assert.Equal(new TokenFailure(Malformed, null, "the response was empty", null), FailureFrom(200, body));

    [Theory]
    [InlineData("""{"token_type":"Bearer"}""", "the response has no access token")]
    [InlineData("""{"access_token":null}""", "the response has no access token")]
    [InlineData("""{"access_token":""}""", "the access token is empty")]
    [InlineData("""{"access_token":42}""", "the access token is not a string")]
    [InlineData("""{"access_token":"two words"}""", "the access token has characters that cannot be sent in a header")]
    [InlineData("""{"access_token":"line\r\nbreak"}""", "the access token has characters that cannot be sent in a header")]
    [InlineData("""["access_token"]""", "the response was not a JSON object")]
    [InlineData("\"access_token\"", "the response was not a JSON object")]
    public void Success_response_without_a_usable_access_token_is_malformed(string body, string reason)
        => Assert.Equal(new TokenFailure(Malformed, null, reason, null), FailureFrom(200, body));

    [Fact]
    public void Access_token_at_a_missing_quirk_path_is_malformed()
    {
        var quirks = new Contracts.Catalog.TokenResponseQuirks { AccessTokenPath = "authed_user.access_token" };

        var failure = Failure(Parse(Answer(200, """{"ok":true,"access_token":"xoxb-bot"}"""), quirks));

        Assert.Equal("the response has no access token", failure.Reason);
    }

    [Theory]
    [InlineData("mac")]
    [InlineData("DPoP")]
    [InlineData("N_A")]
    public void Token_type_other_than_bearer_is_unusable(string tokenType)
    {
        var failure = FailureFrom(200, $$"""{"access_token":"at-1","token_type":"{{tokenType}}"}""");

        Assert.Equal(new TokenFailure(Malformed, null, $"unsupported token type {tokenType}", null), failure);
    }

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("\"\"")]
    [InlineData("\"NaN\"")]
    [InlineData("\"Infinity\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Expires_in_that_is_not_a_number_is_malformed(string expiresIn)
    {
        var failure = FailureFrom(200, $$"""{"access_token":"at-1","expires_in":{{expiresIn}}}""");

        Assert.Equal(new TokenFailure(Malformed, null, "expires_in is not a number", null), failure);
    }

    [Theory]
    [InlineData("42")]
    [InlineData("{}")]
    [InlineData("""["read", 1]""")]
    public void Scope_that_is_neither_text_nor_a_list_of_text_is_malformed(string scope)
        => Assert.Equal(Malformed, FailureFrom(200, $$"""{"access_token":"at-1","scope":{{scope}}}""").Kind);

    [Fact]
    public void Refresh_token_that_is_not_text_is_malformed()
        => Assert.Equal("the refresh token is not a string", FailureFrom(200, """{"access_token":"at-1","refresh_token":7}""").Reason);

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    public void Client_error_without_an_error_code_is_malformed(int status)
    {
        var failure = FailureFrom(status, "<html>Not here</html>", "text/html");

        Assert.Equal(new TokenFailure(Malformed, null, $"the app answered HTTP {status} without an error code", null), failure);
    }

    [Fact]
    public void Access_token_in_a_400_response_is_not_a_grant()
        => Assert.Equal(Malformed, FailureFrom(400, """{"access_token":"at-1"}""").Kind);

    [Fact]
    public void Error_that_is_an_object_counts_as_no_error_code()
    {
        // Facebook-style {"error":{"message":...}}: nothing we can classify.
        var failure = FailureFrom(400, """{"error":{"message":"Invalid OAuth access token.","code":190}}""");

        Assert.Equal("the app answered HTTP 400 without an error code", failure.Reason);
    }

    [Theory]
    [InlineData("""{"access_token":"at-1","access_token":"at-2"}""")]
    [InlineData("""{"authed_user":{"id":"U1","id":"U2"},"access_token":"at-1"}""")]
    public void Repeated_members_are_refused_so_nobody_reads_a_different_token(string body)
        => Assert.Equal(new TokenFailure(Malformed, null, "the response repeats a member", null), FailureFrom(200, body));

    [Fact]
    public void Repeated_form_fields_are_refused()
        => Assert.Equal("the response repeats a member", FailureFrom(200, "access_token=a&access_token=b", Form).Reason);

    [Fact]
    public void Json_nested_deeper_than_the_limit_is_malformed()
    {
        var body = string.Concat(Enumerable.Repeat("""{"a":""", 100)) + "1" + new string('}', 100);

        Assert.Equal("the response was not JSON (application/json)", FailureFrom(200, body).Reason);
    }

    [Fact]
    public void Lone_surrogate_escape_is_malformed_not_a_crash()
        => Assert.Equal(Malformed, FailureFrom(200, """{"access_token":"\ud800"}""").Kind);

    [Fact]
    public void Invalid_utf8_is_malformed()
    {
        var body = "{\"access_token\":\""u8.ToArray().Concat(new byte[] { 0xC3, 0x28 }).Concat("\"}"u8.ToArray()).ToArray();

        Assert.Equal(Malformed, Failure(Parse(new TokenHttpResponse(200, Json, body, null, false))).Kind);
    }
}

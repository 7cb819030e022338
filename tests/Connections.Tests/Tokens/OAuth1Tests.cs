using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;

namespace Accounts.Orleans.Connections.Tests.Tokens;

/// <summary>The service's OAuth 1.0a signer against RFC 5849's own examples, and its reading of token answers good and bad.</summary>
public sealed class OAuth1Tests
{
    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("An encoded string!", "An%20encoded%20string%21")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("☃ -._~*'()", "%E2%98%83%20-._~%2A%27%28%29")]
    public void Encoding_leaves_only_unreserved_characters(string value, string encoded) => Assert.Equal(encoded, OAuth1Signature.Encode(value));

    [Fact]
    public void The_base_string_of_rfc_5849_section_3_4_1_1_is_the_one_it_prints()
    {
        var url = new Uri("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        KeyValuePair<string, string>[] protocol =
        [
            new("oauth_consumer_key", "9djdj82h48djs9d2"), new("oauth_token", "kkk9d7dh3k39sjv7"), new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131201"), new("oauth_nonce", "7d8f3e4a"),
        ];

        var parameters = OAuth1Signature.FormOf(url.Query.TrimStart('?')).Concat(OAuth1Signature.FormOf("c2&a3=2+q")).Concat(protocol);

        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D"
            + "%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1"
            + "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
            OAuth1Signature.BaseString("post", url, parameters));
    }

    [Fact]
    public void The_signature_of_rfc_5849_section_1_2_is_the_one_it_prints()
    {
        var url = new Uri("http://photos.example.net/photos?file=vacation.jpg&size=original");
        KeyValuePair<string, string>[] protocol =
        [
            new("oauth_consumer_key", "dpf43f3p2l4k3l03"), new("oauth_token", "nnch734d00sl2jdk"), new("oauth_signature_method", "HMAC-SHA1"),
            new("oauth_timestamp", "137131202"), new("oauth_nonce", "chapoH"),
        ];

        var baseString = OAuth1Signature.BaseString("GET", url, OAuth1Signature.FormOf(url.Query.TrimStart('?')).Concat(protocol));

        // The RFC prints it percent-encoded in the header: MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D.
        Assert.Equal("MdpQcU8iPSUjWoN/UDMsK2sui9I=", OAuth1Signature.Sign(baseString, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00"));
    }

    [Theory]
    [InlineData("https://API.Example.COM:443/v2/a%20b?x=1", "GET&https%3A%2F%2Fapi.example.com%2Fv2%2Fa%2520b&")]
    [InlineData("http://example.com:8080/", "GET&http%3A%2F%2Fexample.com%3A8080%2F&")]
    public void The_address_is_signed_without_its_query_and_default_port_and_in_lower_case(string url, string expected)
        => Assert.Equal(expected, OAuth1Signature.BaseString("GET", new Uri(url), []));

    [Fact]
    public void Each_header_has_a_nonce_of_its_own_and_names_the_token_but_no_secret()
    {
        var signer = new OAuth1Signature.Signer("ck", "consumer-secret-1", "tok", "token-secret-2");
        var url = new Uri("https://api.example.com/me");

        var first = OAuth1Signature.Authorize("GET", url, [], signer, [], OAuth1Signature.NewNonce(), Now);
        var second = OAuth1Signature.Authorize("GET", url, [], signer, [], OAuth1Signature.NewNonce(), Now);

        Assert.NotEqual(first, second);
        Assert.Contains("oauth_token=\"tok\"", first, StringComparison.Ordinal);
        Assert.Contains($"oauth_timestamp=\"{Now.ToUnixTimeSeconds()}\"", first, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", first, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", signer.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("tok", signer.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_access_token_answer_gives_the_token_its_secret_the_identity_and_captures()
    {
        var quirks = new TokenResponseQuirks { IdentityPath = "user_nsid", Captures = new Dictionary<string, string> { ["username"] = "username" } };

        var grant = Granted(OAuth1Answer.Parse(Answer(200, "oauth_token=72157-abc&oauth_token_secret=e4f%2Bx&user_nsid=21207%40N00&username=jamal", "text/plain"),
            quirks, confirmCallback: false));

        Assert.Equal("72157-abc", grant.AccessToken);
        Assert.Equal("e4f+x", grant.TokenSecret);
        Assert.Equal("21207@N00", grant.Identity);
        Assert.Equal("jamal", grant.Captured!["username"]);
        Assert.Null(grant.ExpiresAt);
        Assert.Null(grant.RefreshToken);
        Assert.DoesNotContain("e4f", grant.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, "oauth_token=a&oauth_token=b&oauth_token_secret=s&oauth_callback_confirmed=true", TokenFailureKind.Malformed, "names a parameter twice")]
    [InlineData(200, "oauth_token=a&oauth_callback_confirmed=true", TokenFailureKind.Malformed, "no oauth_token and oauth_token_secret")]
    [InlineData(200, "oauth_token=&oauth_token_secret=s&oauth_callback_confirmed=true", TokenFailureKind.Malformed, "no oauth_token and oauth_token_secret")]
    [InlineData(200, "oauth_token=a&oauth_token_secret=s", TokenFailureKind.ClientMisconfigured, "did not confirm the callback")]
    [InlineData(200, "oauth_token=a&oauth_token_secret=s&oauth_callback_confirmed=false", TokenFailureKind.ClientMisconfigured, "did not confirm the callback")]
    [InlineData(200, "oauth_token=a%0D%0AX-Evil%3A1&oauth_token_secret=s&oauth_callback_confirmed=true", TokenFailureKind.Malformed, "cannot be sent in a header")]
    [InlineData(200, "<html><body>Sign in</body></html>", TokenFailureKind.Malformed, "no oauth_token")]
    [InlineData(401, "oauth_problem=signature_invalid", TokenFailureKind.ClientMisconfigured, "HTTP 401 (signature_invalid)")]
    [InlineData(401, "oauth_problem=%3Cscript%3Ealert(1)%3C%2Fscript%3E", TokenFailureKind.ClientMisconfigured, "HTTP 401")]
    [InlineData(302, "", TokenFailureKind.Malformed, "redirects are not followed")]
    [InlineData(503, "", TokenFailureKind.Transient, "HTTP 503")]
    public void A_request_token_answer_that_is_not_one_is_a_classified_failure(int status, string body, TokenFailureKind kind, string reason)
    {
        var failure = Failure(OAuth1Answer.Parse(Answer(status, body, "application/x-www-form-urlencoded"), null, confirmCallback: true));

        Assert.Equal(kind, failure.Kind);
        Assert.Contains(reason, failure.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("script", failure.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_trade_means_the_consent_is_gone_and_bytes_that_are_not_text_are_no_answer()
    {
        Assert.Equal(TokenFailureKind.NeedsReconnect, Failure(OAuth1Answer.Parse(Answer(401, "oauth_problem=token_rejected"), null, confirmCallback: false)).Kind);
        var binary = new TokenHttpResponse(200, "text/plain", new byte[] { 0x6f, 0xff, 0xfe, 0x3d }, null, false);
        Assert.Equal(TokenFailureKind.Malformed, Failure(OAuth1Answer.Parse(binary, null, confirmCallback: false)).Kind);
        var truncated = Answer(200, "oauth_token=a&oauth_token_secret=" + new string('s', 10), truncated: true);
        Assert.Equal(TokenFailureKind.Malformed, Failure(OAuth1Answer.Parse(truncated, null, confirmCallback: false)).Kind);
        Assert.Equal(TimeSpan.FromSeconds(30), Failure(OAuth1Answer.Parse(Answer(429, "", retryAfter: TimeSpan.FromSeconds(30)), null, false)).RetryAfter);
    }
}

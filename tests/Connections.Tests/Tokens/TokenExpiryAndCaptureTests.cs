using System.Text;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;

namespace Accounts.Orleans.Connections.Tests.Tokens;

/// <summary>Expiry the app states other ways than <c>expires_in</c>, errors it puts elsewhere, and values it returns for the account.</summary>
public sealed class TokenExpiryAndCaptureTests
{
    private static readonly TokenResponseQuirks At = new() { ExpiresAtPath = "expires_at" };

    [Theory]
    [InlineData("1740834000", 3600)]                    // seconds since 1970: 2025-03-01T13:00Z
    [InlineData("1740834000000", 3600)]                 // the same in milliseconds
    [InlineData("\"1740834000\"", 3600)]                // a number written as a string
    [InlineData("\"2025-03-01T14:00:00Z\"", 7200)]      // ISO 8601
    [InlineData("\"2025-03-01T15:00:00+01:00\"", 7200)] // ISO 8601 with an offset
    [InlineData("1740826800", 0)]                       // already past: refresh at once, not never
    public void An_absolute_expiry_is_read_in_every_form_apps_write_it(string value, int seconds)
    {
        var grant = GrantFrom($$"""{"access_token":"at-1","expires_at":{{value}}}""", At);

        Assert.Equal(Now.AddSeconds(seconds), grant.ExpiresAt);
    }

    [Theory]
    [InlineData("\"soon\"")]
    [InlineData("true")]
    [InlineData("-5")]
    [InlineData("1e400")]
    [InlineData("{}")]
    public void An_absolute_expiry_that_is_no_time_is_malformed_not_never(string value)
    {
        var failure = Failure(Parse(Answer(200, $$"""{"access_token":"at-1","expires_at":{{value}}}"""), At));

        Assert.Equal(TokenFailureKind.Malformed, failure.Kind);
    }

    [Fact]
    public void Expires_in_wins_over_an_absolute_expiry_and_a_jwts_exp_comes_last_before_the_default()
    {
        var jwt = Jwt("""{"sub":"u1","exp":1740837600}""");   // 14:00Z
        var both = GrantFrom($$"""{"access_token":"at-1","expires_in":60,"expires_at":1740834000}""", At);
        var fromJwt = GrantFrom($$"""{"access_token":"{{jwt}}"}""", new TokenResponseQuirks { ExpiryFromJwt = true, DefaultExpiresInSeconds = 30 });
        var notJwt = GrantFrom("""{"access_token":"a.b"}""", new TokenResponseQuirks { ExpiryFromJwt = true, DefaultExpiresInSeconds = 30 });
        var badJwt = GrantFrom($$"""{"access_token":"{{Jwt("""{"exp":"x"}""")}}"}""", new TokenResponseQuirks { ExpiryFromJwt = true });
        var off = GrantFrom($$"""{"access_token":"{{jwt}}"}""");

        Assert.Equal(Now.AddSeconds(60), both.ExpiresAt);
        Assert.Equal(Now.AddHours(2), fromJwt.ExpiresAt);
        Assert.Equal(Now.AddSeconds(30), notJwt.ExpiresAt);
        Assert.Null(badJwt.ExpiresAt);
        Assert.Null(off.ExpiresAt);
    }

    [Fact]
    public void An_error_at_the_apps_own_path_is_classified_like_a_standard_one()
    {
        var quirks = new TokenResponseQuirks { ErrorPath = "error.code" };
        var dead = Failure(Parse(Answer(200, """{"error":{"code":"invalid_grant","message":"the refresh token rt-1 is gone"}}"""), quirks, sentRefreshToken: "rt-1"));
        var unknown = Failure(Parse(Answer(200, """{"error":{"code":"quota"}}"""), quirks));
        var listed = Failure(Parse(Answer(400, """{"errors":[{"code":"invalid_client"}]}"""), new TokenResponseQuirks { ErrorPath = "errors.0.code" }));

        Assert.Equal((TokenFailureKind.NeedsReconnect, "invalid_grant"), (dead.Kind, dead.ErrorCode));
        Assert.DoesNotContain("rt-1", dead.Reason, StringComparison.Ordinal);
        Assert.Equal(TokenFailureKind.Malformed, unknown.Kind);
        Assert.Equal(TokenFailureKind.ClientMisconfigured, listed.Kind);
    }

    [Fact]
    public void Captured_values_are_kept_as_text_and_a_missing_or_unclean_one_is_left_out()
    {
        var quirks = new TokenResponseQuirks
        {
            Captures = new Dictionary<string, string> { ["instance_url"] = "instance_url", ["org"] = "org.id", ["missing"] = "nope", ["hidden"] = "hidden" },
        };

        var grant = GrantFrom("""{"access_token":"at-1","instance_url":"https://acme.my.salesforce.com","org":{"id":42},"hidden":"a\u202Eb"}""", quirks);

        Assert.Equal(new Dictionary<string, string> { ["instance_url"] = "https://acme.my.salesforce.com", ["org"] = "42" }, grant.Captured);
        Assert.DoesNotContain("acme", grant.ToString(), StringComparison.Ordinal);
    }

    private static string Jwt(string claims)
        => $"{B64("""{"alg":"none"}""")}.{B64(claims)}.sig";

    private static string B64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

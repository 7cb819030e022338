using Accounts.Orleans.Connections.Tokens;
using static Accounts.Orleans.Connections.Tests.Tokens.TokenEndpoint;

namespace Accounts.Orleans.Connections.Tests.Tokens;

public sealed class ErrorDescriptionTests
{
    private const string SentRefreshToken = "1//0gLk-refresh-token-we-sent";

    [Fact]
    public void Plain_description_is_kept_as_it_is()
        => Assert.Equal("Token has been expired or revoked.", ErrorDescription.Sanitize("Token has been expired or revoked.", SentRefreshToken));

    [Fact]
    public void Control_characters_cannot_forge_a_second_log_line()
    {
        var sanitized = ErrorDescription.Sanitize("bad code\r\n2025-01-01 INFO admin logged in\u001b[31m\0", null);

        Assert.Equal("bad code 2025-01-01 INFO admin logged in?[31m?", sanitized);
    }

    [Fact]
    public void Non_ascii_characters_become_question_marks()
        => Assert.Equal("Le jeton a expir?", ErrorDescription.Sanitize("Le jeton a expiré", null));

    [Fact]
    public void Long_description_is_cut_to_two_hundred_characters()
    {
        var sanitized = ErrorDescription.Sanitize(new string('x', 10 * 1024), null);

        Assert.Equal(ErrorDescription.MaxLength, sanitized!.Length);
        Assert.EndsWith("...", sanitized, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_that_echoes_the_sent_refresh_token_is_dropped()
        => Assert.Null(ErrorDescription.Sanitize($"refresh token {SentRefreshToken} is revoked", SentRefreshToken));

    [Fact]
    public void Description_that_echoes_the_token_past_the_cut_is_still_dropped()
        => Assert.Null(ErrorDescription.Sanitize(new string('x', 199) + SentRefreshToken, SentRefreshToken));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t")]
    [InlineData(null)]
    public void Description_with_nothing_printable_is_dropped(string? description)
        => Assert.Null(ErrorDescription.Sanitize(description, null));

    [Fact]
    public void Hostile_description_in_a_response_never_reaches_the_reason()
    {
        var body = $$"""{"error":"invalid_grant","error_description":"token {{SentRefreshToken}} revoked"}""";

        var failure = FailureFrom(400, body, sentRefreshToken: SentRefreshToken);

        Assert.Equal("the app answered invalid_grant", failure.Reason);
    }

    [Fact]
    public void Ten_kilobyte_description_with_control_characters_is_cleaned_in_the_reason()
    {
        var description = string.Concat(Enumerable.Repeat("line\\nbreak\\u0007 ", 600));
        var failure = FailureFrom(400, $$"""{"error":"invalid_grant","error_description":"{{description}}"}""");

        Assert.StartsWith("the app answered invalid_grant (line break? line break?", failure.Reason, StringComparison.Ordinal);
        Assert.True(failure.Reason.Length <= "the app answered invalid_grant ()".Length + ErrorDescription.MaxLength);
        Assert.All(failure.Reason, c => Assert.InRange(c, ' ', '~'));
    }

    [Fact]
    public void Error_code_that_echoes_the_sent_refresh_token_is_not_repeated()
    {
        var failure = FailureFrom(400, $$"""{"error":"{{SentRefreshToken}}"}""", sentRefreshToken: SentRefreshToken);

        Assert.Null(failure.ErrorCode);
        Assert.DoesNotContain(SentRefreshToken, failure.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalid\\ngrant")]
    [InlineData("bad\\\"quote")]
    [InlineData("caf\u00e9")]
    public void Error_code_outside_the_rfc_character_set_is_not_repeated(string code)
    {
        var failure = FailureFrom(400, $$"""{"error":"{{code}}"}""");

        Assert.Equal(new TokenFailure(TokenFailureKind.Malformed, null, "the app answered an error code that cannot be shown", null), failure);
    }
}

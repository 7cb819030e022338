using Accounts.Orleans.Connections.Refresh;

namespace Accounts.Orleans.Connections.Tests.Refresh;

public sealed class RefreshDecisionTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly RefreshRequest Read = new(Force: false, Lookahead: TimeSpan.Zero, Margin: TimeSpan.FromMinutes(5));
    private static readonly RefreshRequest Forced = Read with { Force = true };

    private static TokenState Tokens(double minutesLeft = 60, bool refreshToken = true, bool unsaved = false, double? backOffMinutes = null)
        => new(Now.AddMinutes(minutesLeft), refreshToken, unsaved, backOffMinutes is { } m ? Now.AddMinutes(m) : null, "the app answered 503");

    [Fact]
    public void A_token_that_is_not_due_is_used_as_it_is()
        => Assert.IsType<RefreshDecision.UseCurrent>(RefreshDecision.Decide(Tokens(minutesLeft: 30), Read, Now));

    [Fact]
    public void A_token_that_never_expires_is_never_due()
        => Assert.IsType<RefreshDecision.UseCurrent>(RefreshDecision.Decide(Tokens() with { ExpiresAt = null }, Read, Now));

    [Theory]
    [InlineData(4.9)]
    [InlineData(0)]
    [InlineData(-10)]
    public void A_token_within_the_margin_or_expired_is_refreshed(double minutesLeft)
        => Assert.IsType<RefreshDecision.Refresh>(RefreshDecision.Decide(Tokens(minutesLeft), Read, Now));

    [Fact]
    public void The_sweepers_lookahead_makes_a_token_due_early()
        => Assert.IsType<RefreshDecision.Refresh>(RefreshDecision.Decide(Tokens(minutesLeft: 6), Read with { Lookahead = TimeSpan.FromMinutes(2) }, Now));

    [Fact]
    public void A_forced_refresh_refreshes_a_fresh_token()
        => Assert.Equal("asked to refresh now", Assert.IsType<RefreshDecision.Refresh>(RefreshDecision.Decide(Tokens(minutesLeft: 60), Forced, Now)).Reason);

    [Fact]
    public void Without_a_refresh_token_a_valid_token_is_used_and_an_expired_one_needs_a_reconnect()
    {
        Assert.IsType<RefreshDecision.UseCurrent>(RefreshDecision.Decide(Tokens(minutesLeft: 1, refreshToken: false), Read, Now));
        var expired = Assert.IsType<RefreshDecision.NeedsReconnect>(RefreshDecision.Decide(Tokens(minutesLeft: -1, refreshToken: false), Read, Now));
        Assert.Contains("no refresh token", expired.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void While_backing_off_a_valid_token_is_used_and_an_expired_one_waits_with_the_last_failure()
    {
        Assert.IsType<RefreshDecision.UseCurrent>(RefreshDecision.Decide(Tokens(minutesLeft: 1, backOffMinutes: 2), Read, Now));
        var waiting = Assert.IsType<RefreshDecision.BackingOff>(RefreshDecision.Decide(Tokens(minutesLeft: -1, backOffMinutes: 2), Read, Now));
        Assert.Equal("the app answered 503", waiting.Reason);
        Assert.Equal(Now.AddMinutes(2), waiting.Until);
    }

    [Fact]
    public void A_back_off_that_has_passed_or_a_forced_refresh_refreshes_again()
    {
        Assert.IsType<RefreshDecision.Refresh>(RefreshDecision.Decide(Tokens(minutesLeft: -1, backOffMinutes: -0.1), Read, Now));
        Assert.IsType<RefreshDecision.Refresh>(RefreshDecision.Decide(Tokens(minutesLeft: -1, backOffMinutes: 2), Forced, Now));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tokens_waiting_for_storage_are_never_refreshed_even_when_forced(bool force)
    {
        var request = force ? Forced : Read;

        Assert.IsType<RefreshDecision.UseCurrent>(RefreshDecision.Decide(Tokens(minutesLeft: 1, unsaved: true), request, Now));
        Assert.IsType<RefreshDecision.AwaitingStorage>(RefreshDecision.Decide(Tokens(minutesLeft: -1, unsaved: true), request, Now));
    }
}

using Accounts.Orleans.Connections.Refresh;
using Accounts.Orleans.Connections.Tokens;
using static Accounts.Orleans.Connections.Tokens.TokenFailureKind;

namespace Accounts.Orleans.Connections.Tests.Refresh;

public sealed class RefreshPolicyTests
{
    private static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(5);

    [Fact]
    public void Token_without_expiry_is_never_due()
        => Assert.False(RefreshPolicy.IsDue(null, Now, Margin));

    [Theory]
    [InlineData(60, false)]
    [InlineData(6, false)]
    [InlineData(5, true)]
    [InlineData(1, true)]
    [InlineData(0, true)]
    [InlineData(-60, true)]
    public void Token_is_due_once_it_expires_within_the_margin(int minutesLeft, bool due)
        => Assert.Equal(due, RefreshPolicy.IsDue(Now.AddMinutes(minutesLeft), Now, Margin));

    [Fact]
    public void Extreme_dates_do_not_overflow()
    {
        Assert.False(RefreshPolicy.IsDue(DateTimeOffset.MaxValue, DateTimeOffset.MinValue, Margin));
        Assert.True(RefreshPolicy.IsDue(DateTimeOffset.MaxValue, DateTimeOffset.MaxValue, TimeSpan.MaxValue));
        Assert.True(RefreshPolicy.IsDue(DateTimeOffset.MinValue, DateTimeOffset.MaxValue, TimeSpan.Zero));
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(2, 4)]
    [InlineData(3, 8)]
    [InlineData(9, 512)]
    [InlineData(10, 600)]
    [InlineData(1000, 600)]
    [InlineData(int.MaxValue, 600)]
    public void Backoff_ceiling_doubles_from_two_seconds_up_to_ten_minutes(int failures, int ceilingSeconds)
        => Assert.Equal(TimeSpan.FromSeconds(ceilingSeconds / 2.0), RefreshPolicy.Backoff(failures, null, 0.5));

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(int.MinValue)]
    public void Backoff_after_no_recorded_failure_is_that_of_the_first(int failures)
        => Assert.Equal(RefreshPolicy.Backoff(1, null, 0.5), RefreshPolicy.Backoff(failures, null, 0.5));

    [Theory]
    [InlineData(0.0, 0)]
    [InlineData(0.25, 2)]
    [InlineData(0.999, 7.992)]
    public void Backoff_is_the_ceiling_scaled_by_the_jitter(double jitter, double seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), RefreshPolicy.Backoff(3, null, jitter));

    [Theory]
    [InlineData(double.NaN, 0)]
    [InlineData(-1.0, 0)]
    [InlineData(7.0, 8)]
    public void Jitter_outside_zero_to_one_is_clamped(double jitter, double seconds)
        => Assert.Equal(TimeSpan.FromSeconds(seconds), RefreshPolicy.Backoff(3, null, jitter));

    [Fact]
    public void Retry_after_longer_than_the_backoff_wins()
        => Assert.Equal(TimeSpan.FromSeconds(30), RefreshPolicy.Backoff(1, TimeSpan.FromSeconds(30), 0.5));

    [Fact]
    public void Retry_after_shorter_than_the_backoff_is_not_a_reason_to_hurry()
        => Assert.Equal(TimeSpan.FromSeconds(16), RefreshPolicy.Backoff(5, TimeSpan.FromSeconds(1), 0.5));

    [Fact]
    public void Retry_after_is_capped_at_one_hour()
        => Assert.Equal(TimeSpan.FromHours(1), RefreshPolicy.Backoff(1, TimeSpan.FromDays(2), 0.5));

    [Fact]
    public void Negative_retry_after_is_ignored()
        => Assert.Equal(TimeSpan.FromSeconds(1), RefreshPolicy.Backoff(1, TimeSpan.FromSeconds(-30), 0.5));

    [Theory]
    [InlineData(Transient, 1, true)]
    [InlineData(Transient, 2, true)]
    [InlineData(Transient, 3, false)]
    [InlineData(NeedsReconnect, 1, false)]
    [InlineData(ClientMisconfigured, 1, false)]
    [InlineData(Malformed, 1, false)]
    public void Only_a_transient_failure_is_tried_again_and_only_up_to_three_attempts(TokenFailureKind kind, int attemptsMade, bool again)
        => Assert.Equal(again, RefreshPolicy.MayTryAgain(kind, attemptsMade));
}

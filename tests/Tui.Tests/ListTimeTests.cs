using Accounts.Orleans.Tui.Screens;

namespace Accounts.Orleans.Tui.Tests;

public sealed class ListTimeTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 29, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(30, "in 1m")]
    [InlineData(59 * 60, "in 59m")]
    [InlineData(60 * 60, "in 1h")]
    [InlineData(47 * 3600 + 3599, "in 47h")]
    [InlineData(48 * 3600, "in 2d")]
    [InlineData(0, "expired")]
    [InlineData(-3600, "expired")]
    public void A_token_expiry_reads_as_the_time_left_or_expired(int secondsFromNow, string expected) =>
        Assert.Equal(expected, ListTime.Until(Now.AddSeconds(secondsFromNow), Now));

    [Theory]
    [InlineData(0, "just now")]
    [InlineData(59, "just now")]
    [InlineData(60, "1m ago")]
    [InlineData(3 * 3600 + 120, "3h ago")]
    [InlineData(9 * 86400, "9d ago")]
    public void A_last_use_reads_as_the_time_since(int secondsAgo, string expected) =>
        Assert.Equal(expected, ListTime.Since(Now.AddSeconds(-secondsAgo), Now));
}

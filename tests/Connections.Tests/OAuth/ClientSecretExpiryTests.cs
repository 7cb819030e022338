using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.Tests.OAuth;

public sealed class ClientSecretExpiryTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 30, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(null, OAuthClientSecretWarning.None)]
    [InlineData(90.0, OAuthClientSecretWarning.None)]
    [InlineData(30.01, OAuthClientSecretWarning.None)]
    [InlineData(30.0, OAuthClientSecretWarning.Within30Days)]
    [InlineData(20.0, OAuthClientSecretWarning.Within30Days)]
    [InlineData(7.01, OAuthClientSecretWarning.Within30Days)]
    [InlineData(7.0, OAuthClientSecretWarning.Within7Days)]
    [InlineData(0.01, OAuthClientSecretWarning.Within7Days)]
    [InlineData(0.0, OAuthClientSecretWarning.Expired)]
    [InlineData(-3.0, OAuthClientSecretWarning.Expired)]
    public void The_warning_grows_as_the_recorded_expiry_comes_closer(double? daysAhead, OAuthClientSecretWarning expected)
        => Assert.Equal(expected, ClientSecretExpiry.Decide(daysAhead is { } days ? Now + TimeSpan.FromDays(days) : null, Now));

    [Fact]
    public void Days_left_count_whole_days_so_a_part_day_is_never_promised()
    {
        Assert.Equal(6, ClientSecretExpiry.DaysLeft(Now + TimeSpan.FromDays(6.9), Now));
        Assert.Equal(0, ClientSecretExpiry.DaysLeft(Now + TimeSpan.FromHours(1), Now));
        Assert.Equal(-1, ClientSecretExpiry.DaysLeft(Now - TimeSpan.FromHours(1), Now));
    }

    [Theory]
    [InlineData("2027-01-05", "2027-01-05T00:00:00.0000000+00:00")]
    [InlineData(" 2027-01-05 ", "2027-01-05T00:00:00.0000000+00:00")]
    [InlineData("2027-01-05T12:30Z", "2027-01-05T12:30:00.0000000+00:00")]
    [InlineData("2027-01-05T12:30:15", "2027-01-05T12:30:15.0000000+00:00")]
    [InlineData("2027-01-05T12:30:15+02:00", "2027-01-05T10:30:15.0000000+00:00")]
    [InlineData("2027-01-05T12:30:15.250Z", "2027-01-05T12:30:15.2500000+00:00")]
    public void An_iso_date_or_date_and_time_is_read_as_utc_unless_it_names_an_offset(string text, string expected)
    {
        Assert.True(ClientSecretExpiry.TryParse(text, out var at));
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), at);
        Assert.Equal(TimeSpan.Zero, at.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("05/01/2027")]
    [InlineData("01/05/2027")]
    [InlineData("2027-13-01")]
    [InlineData("next tuesday")]
    [InlineData("2027-01-05 12:30")]
    public void Anything_but_an_iso_date_is_refused_rather_than_guessed(string? text)
        => Assert.False(ClientSecretExpiry.TryParse(text, out _));
}

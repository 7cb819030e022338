using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.Tests.OAuth;

public sealed class ClientSecretAnnouncementsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 30, 9, 0, 0, TimeSpan.Zero);

    private static OAuthClientStatus Client(string slug, DateTimeOffset? expiresAt) => new()
    {
        AppSlug = slug, ClientId = slug + "-client", HasSecret = true, Source = OAuthClientSource.Stored, SecretExpiresAt = expiresAt,
    };

    private static HashSet<string> Keys(params string[] keys) => new(keys, StringComparer.Ordinal);

    [Fact]
    public void A_secret_within_30_days_is_announced_once_with_its_threshold_and_days_left()
    {
        var expires = Now + TimeSpan.FromDays(20);

        var (due, forget) = ClientSecretAnnouncements.Plan([Client("slack", expires), Client("github", null), Client("notion", Now + TimeSpan.FromDays(60))], Keys(), Now);
        var announcement = Assert.Single(due);
        var (again, _) = ClientSecretAnnouncements.Plan([Client("slack", expires)], Keys([.. announcement.Settles]), Now + TimeSpan.FromDays(1));

        Assert.Equal(("slack", "slack-client", "30d", 20), (announcement.AppSlug, announcement.ClientId, announcement.Threshold, announcement.DaysLeft));
        Assert.Equal(new Dictionary<string, string?>
        {
            ["app"] = "slack", ["client_id"] = "slack-client", ["expires_at"] = "2027-01-19T09:00:00Z", ["days_left"] = "20", ["threshold"] = "30d",
        }, announcement.Data());
        Assert.Empty(forget);
        Assert.Empty(again);
    }

    [Fact]
    public void Seven_days_ahead_the_last_warning_follows_the_first()
    {
        var expires = Now + TimeSpan.FromDays(20);
        var first = Assert.Single(ClientSecretAnnouncements.Plan([Client("slack", expires)], Keys(), Now).Due);

        var last = Assert.Single(ClientSecretAnnouncements.Plan([Client("slack", expires)], Keys([.. first.Settles]), Now + TimeSpan.FromDays(15)).Due);

        Assert.Equal(("7d", 5), (last.Threshold, last.DaysLeft));
    }

    [Fact]
    public void A_secret_first_seen_within_7_days_is_announced_once_not_late_for_30_days_as_well()
    {
        var expires = Now + TimeSpan.FromDays(3);

        var only = Assert.Single(ClientSecretAnnouncements.Plan([Client("slack", expires)], Keys(), Now).Due);
        var (later, _) = ClientSecretAnnouncements.Plan([Client("slack", expires)], Keys([.. only.Settles]), Now + TimeSpan.FromDays(1));

        Assert.Equal("7d", only.Threshold);
        Assert.Equal(2, only.Settles.Count);
        Assert.Empty(later);
    }

    [Fact]
    public void An_expired_secret_is_not_announced_its_status_says_so()
        => Assert.Empty(ClientSecretAnnouncements.Plan([Client("slack", Now - TimeSpan.FromDays(1))], Keys(), Now).Due);

    [Fact]
    public void A_new_secret_with_a_new_expiry_is_warned_of_afresh_and_the_old_one_is_forgotten()
    {
        var old = Now + TimeSpan.FromDays(5);
        var remembered = Keys(ClientSecretAnnouncements.Key("slack", old, "30d"), ClientSecretAnnouncements.Key("slack", old, "7d"));
        var renewed = Now + TimeSpan.FromDays(25);

        var (due, forget) = ClientSecretAnnouncements.Plan([Client("slack", renewed)], remembered, Now);

        Assert.Equal(("slack", "30d", renewed), (Assert.Single(due).AppSlug, due[0].Threshold, due[0].ExpiresAt));
        Assert.Equal(remembered.Order(StringComparer.Ordinal), forget);
    }

    [Fact]
    public void The_same_expiry_written_with_another_offset_is_the_same_secret()
        => Assert.Equal(
            ClientSecretAnnouncements.Key("slack", new DateTimeOffset(2027, 1, 5, 12, 0, 0, TimeSpan.Zero), "7d"),
            ClientSecretAnnouncements.Key("slack", new DateTimeOffset(2027, 1, 5, 14, 0, 0, TimeSpan.FromHours(2)), "7d"));
}

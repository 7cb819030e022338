using System.Globalization;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// Which expiry warnings are due: once per threshold per secret. A secret is known by its app and recorded expiry, so
/// recording a new secret's expiry starts its warnings afresh, and what was remembered of the old one is forgotten.
/// </summary>
public static class ClientSecretAnnouncements
{
    public const string ThirtyDays = "30d";
    public const string SevenDays = "7d";

    /// <summary>
    /// The announcements due as of <paramref name="now"/>, given the keys already <paramref name="announced"/>, and the
    /// remembered keys that name no current secret any more. An expired secret is not announced: its date has passed,
    /// and the status shows it as expired.
    /// </summary>
    public static (IReadOnlyList<ClientSecretAnnouncement> Due, IReadOnlyList<string> Forget) Plan(
        IEnumerable<OAuthClientStatus> clients, IReadOnlySet<string> announced, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(announced);
        var due = new List<ClientSecretAnnouncement>();
        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var client in clients)
        {
            if (client.SecretExpiresAt is not { } expiresAt) continue;
            string[] keys = [Key(client.AppSlug, expiresAt, ThirtyDays), Key(client.AppSlug, expiresAt, SevenDays)];
            current.UnionWith(keys);
            var (threshold, settles) = ClientSecretExpiry.Decide(expiresAt, now) switch
            {
                OAuthClientSecretWarning.Within30Days => (ThirtyDays, keys[..1]),
                OAuthClientSecretWarning.Within7Days => (SevenDays, keys),
                _ => (null, []),
            };
            if (threshold is not null && !announced.Contains(Key(client.AppSlug, expiresAt, threshold)))
                due.Add(new ClientSecretAnnouncement(client.AppSlug, client.ClientId, expiresAt, threshold, ClientSecretExpiry.DaysLeft(expiresAt, now), settles));
        }
        return (due, announced.Where(k => !current.Contains(k)).Order(StringComparer.Ordinal).ToArray());
    }

    public static string Key(string appSlug, DateTimeOffset expiresAt, string threshold)
        => $"{appSlug}|{expiresAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture)}|{threshold}";
}

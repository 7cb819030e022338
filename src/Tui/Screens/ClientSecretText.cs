using System.Globalization;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// An OAuth client secret's recorded expiry as the operator reads it ("secret expires 2027-01-05 (in 6 days)"), with
/// what to do when it is close: the date alone is easy to read past.
/// </summary>
internal static class ClientSecretText
{
    /// <summary>The expiry line, or null when no expiry is recorded. The warning is the service's; the days are as of <paramref name="now"/>.</summary>
    public static string? Describe(OAuthClientStatus client, DateTimeOffset now)
    {
        if (client.SecretExpiresAt is not { } at) return null;
        var days = ClientSecretExpiry.DaysLeft(at, now);
        var line = client.SecretWarning == OAuthClientSecretWarning.Expired || at <= now
            ? $"Secret expired {Date(at)} ({Days(-days)} ago): token calls fail until a new secret is stored"
            : $"Secret expires {Date(at)} (in {Days(days)})";
        line += client.SecretWarning switch
        {
            OAuthClientSecretWarning.Within7Days => " - WARNING: renew it now",
            OAuthClientSecretWarning.Within30Days => " - renew it soon",
            _ => "",
        };
        // The next secret takes over only when the operator makes it the current one; say so while the current one runs out.
        if (client.HasNextSecret && client.SecretWarning != OAuthClientSecretWarning.None)
            line += "; a next secret is stored: save it as the current one";
        return line;
    }

    public static string? DescribeNext(OAuthClientStatus client)
        => !client.HasNextSecret ? null
            : client.NextSecretExpiresAt is { } at ? $"Next secret stored, expires {Date(at)}" : "Next secret stored";

    /// <summary>How the dialog writes an expiry back into its field: a date when it is midnight UTC, else date and time.</summary>
    public static string Field(DateTimeOffset? at) => at switch
    {
        null => "",
        { } value when value.UtcDateTime.TimeOfDay == TimeSpan.Zero => value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        { } value => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    };

    private static string Date(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Days(int days) => days == 1 ? "1 day" : $"{days} days";
}

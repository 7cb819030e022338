using System.Globalization;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// When an operator must act on an OAuth client secret's recorded expiry: a first warning 30 days ahead, time enough to
/// get a new secret from the app, and a last one 7 days ahead. One rule for the service, its API and the console.
/// </summary>
public static class ClientSecretExpiry
{
    public static readonly TimeSpan FirstWarning = TimeSpan.FromDays(30);

    public static readonly TimeSpan LastWarning = TimeSpan.FromDays(7);

    /// <summary>What an expiry is written as in settings and the console: a date (midnight UTC) or an ISO 8601 date and time.</summary>
    public const string Rule = "must be an ISO 8601 date (2027-01-05) or date and time (2027-01-05T12:00:00Z)";

    private static readonly string[] Formats = ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"];

    /// <summary>
    /// How soon the current secret expires. A next secret with a later expiry does not soften this: the current one
    /// still stops working on its date, and the warning goes away only once the operator promotes the next secret
    /// to be the current one (and records its expiry), at the app's pace, before that date.
    /// </summary>
    public static OAuthClientSecretWarning Decide(DateTimeOffset? expiresAt, DateTimeOffset now) => expiresAt switch
    {
        null => OAuthClientSecretWarning.None,
        { } at when at <= now => OAuthClientSecretWarning.Expired,
        { } at when at - now <= LastWarning => OAuthClientSecretWarning.Within7Days,
        { } at when at - now <= FirstWarning => OAuthClientSecretWarning.Within30Days,
        _ => OAuthClientSecretWarning.None,
    };

    /// <summary>Whole days until <paramref name="expiresAt"/>, rounded down (a part day is not a day to rely on); negative once it has passed.</summary>
    public static int DaysLeft(DateTimeOffset expiresAt, DateTimeOffset now) => (int)Math.Floor((expiresAt - now).TotalDays);

    /// <summary>Reads an expiry written by <see cref="Rule"/>; a time without an offset is UTC.</summary>
    public static bool TryParse(string? text, out DateTimeOffset expiresAt)
        => DateTimeOffset.TryParseExact(text?.Trim(), Formats, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out expiresAt);
}

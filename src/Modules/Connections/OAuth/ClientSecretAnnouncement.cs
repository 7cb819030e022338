using System.Globalization;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// An OAuth client secret crossed a warning threshold (<see cref="ClientSecretAnnouncements.ThirtyDays"/> or
/// <see cref="ClientSecretAnnouncements.SevenDays"/>): what the watch tells each workspace with accounts of the app.
/// </summary>
/// <param name="Settles">The thresholds this announcement stands for, as remembered keys: a secret first seen within 7
/// days is announced once, and its 30-day warning is not sent late.</param>
public sealed record ClientSecretAnnouncement(string AppSlug, string ClientId, DateTimeOffset ExpiresAt, string Threshold, int DaysLeft, IReadOnlyList<string> Settles)
{
    /// <summary>The event's data: ids, a date and numbers, never a secret.</summary>
    public Dictionary<string, string?> Data() => new(StringComparer.Ordinal)
    {
        ["app"] = AppSlug,
        ["client_id"] = ClientId,
        ["expires_at"] = ExpiresAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
        ["days_left"] = DaysLeft.ToString(CultureInfo.InvariantCulture),
        ["threshold"] = Threshold,
    };
}

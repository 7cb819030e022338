namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// When a failed delivery is tried again: the Standard Webhooks schedule (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h
/// after the first attempt's failure), each wait up to a fifth longer at random so a recovering receiver is not hit by
/// every delivery at once. A plain function.
/// </summary>
public static class WebhookRetryPolicy
{
    private static readonly TimeSpan[] Waits =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    /// <param name="attempts">Attempts made, the failed one included.</param>
    /// <param name="jitter01">A random value in [0, 1).</param>
    /// <returns>When to try again; null when the delivery is dead.</returns>
    public static DateTimeOffset? NextAttempt(int attempts, int maxAttempts, DateTimeOffset now, double jitter01, TimeSpan? retryAfter = null)
    {
        if (attempts >= maxAttempts) return null;
        var wait = Waits[Math.Clamp(attempts - 1, 0, Waits.Length - 1)];
        // A receiver that says when to come back (429, 503) is believed, within the schedule's longest wait.
        if (retryAfter is { } asked && asked > wait) wait = asked < Waits[^1] ? asked : Waits[^1];
        return now + wait * (1 + jitter01 / 5);
    }
}

using Accounts.Orleans.Connections.Tokens;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>When to refresh a token, how long to wait after a failed refresh, and whether to try again at once.</summary>
public static class RefreshPolicy
{
    /// <summary>Attempts at the token endpoint within one refresh, the first included.</summary>
    public const int MaxAttemptsPerRefresh = 3;

    public static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan LongestBackoff = TimeSpan.FromMinutes(10);

    /// <summary>An app may ask for a longer pause than our own backoff, but not for one that parks an account for a day.</summary>
    public static readonly TimeSpan LongestRetryAfter = TimeSpan.FromHours(1);

    /// <summary>True when the token expires within <paramref name="margin"/> of <paramref name="now"/>; a token without expiry is never due.</summary>
    public static bool IsDue(DateTimeOffset? expiresAt, DateTimeOffset now, TimeSpan margin)
        // Written as a difference so that no date moves past DateTimeOffset's range.
        => expiresAt is { } expiry && expiry - now <= margin;

    /// <summary>
    /// How long to wait after <paramref name="consecutiveFailures"/> failures in a row: a ceiling that doubles from
    /// <see cref="FirstBackoff"/> up to <see cref="LongestBackoff"/>, scaled by <paramref name="jitter01"/> ("full
    /// jitter", so accounts that failed together do not retry together), unless the app's Retry-After is longer.
    /// </summary>
    /// <param name="consecutiveFailures">Failures so far; a backoff follows at least one, so smaller values count as one.</param>
    /// <param name="retryAfter">What the app asked for, if anything.</param>
    /// <param name="jitter01">A random value in [0, 1), passed in so the decision stays a pure function.</param>
    public static TimeSpan Backoff(int consecutiveFailures, TimeSpan? retryAfter, double jitter01)
    {
        // Past 2^9 × 2 s the ceiling is already capped; clamping first keeps both the subtraction and the shift in range.
        var doublings = Math.Clamp(consecutiveFailures, 1, 31) - 1;
        var ceiling = TimeSpan.FromTicks(Math.Min(FirstBackoff.Ticks * (1L << doublings), LongestBackoff.Ticks));
        var jitter = double.IsFinite(jitter01) ? Math.Clamp(jitter01, 0, 1) : 0;
        var delay = ceiling * jitter;

        var asked = retryAfter is { Ticks: > 0 } wanted ? (wanted < LongestRetryAfter ? wanted : LongestRetryAfter) : TimeSpan.Zero;
        return asked > delay ? asked : delay;
    }

    public static readonly TimeSpan FirstStorageRetry = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan LongestStorageRetry = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long to wait before writing rotated tokens again after <paramref name="failedWrites"/> failed writes: a
    /// ceiling that doubles from <see cref="FirstStorageRetry"/> to <see cref="LongestStorageRetry"/>, of which at least
    /// half is waited. Short, because the tokens exist nowhere else until a write succeeds.
    /// </summary>
    public static TimeSpan StorageRetryDelay(int failedWrites, double jitter01)
    {
        var doublings = Math.Clamp(failedWrites, 1, 16) - 1;
        var ceiling = TimeSpan.FromTicks(Math.Min(FirstStorageRetry.Ticks << doublings, LongestStorageRetry.Ticks));
        var jitter = double.IsFinite(jitter01) ? Math.Clamp(jitter01, 0, 1) : 0;
        return ceiling * (0.5 + jitter / 2);
    }

    /// <summary>
    /// Why an account needs reconnecting when the app refused the refresh token after an earlier refresh never stored
    /// its answer: the app most likely rotated the token then, and the rotated one was lost with the silo or in transit.
    /// </summary>
    public static string LostRotationReason(string appName, DateTimeOffset refreshStartedAt, string appAnswer)
        => $"a token refresh started at {refreshStartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} UTC did not finish (the silo running it stopped, " +
           $"or {appName}'s answer was lost), so the refresh token {appName} rotated to then was never stored; {appName} now refuses the " +
           $"previous one ({appAnswer}). Connect the account again.";

    /// <summary>
    /// Whether one refresh may call the token endpoint again after <paramref name="attemptsMade"/> attempts ended in
    /// a failure of <paramref name="kind"/>. Only a transient failure can go differently the next time.
    /// </summary>
    public static bool MayTryAgain(TokenFailureKind kind, int attemptsMade)
        => kind == TokenFailureKind.Transient && attemptsMade < MaxAttemptsPerRefresh;
}

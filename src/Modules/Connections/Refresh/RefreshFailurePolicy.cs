using Accounts.Orleans.Connections.Tokens;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>What a failed call to the token endpoint leads to, and why.</summary>
public abstract record RefreshFailureOutcome(string Reason)
{
    /// <summary>Try the same refresh again after <paramref name="Wait"/>, within the same call.</summary>
    public sealed record RetryNow(string Reason, TimeSpan Wait) : RefreshFailureOutcome(Reason);

    /// <summary>
    /// Give up for now: the account shows <c>error</c> and is not refreshed again before <paramref name="NextAttemptAt"/>
    /// unless forced. <paramref name="RefreshSettled"/> is false when the app may have rotated the token all the same
    /// (it never answered), so the refresh stays marked as unfinished.
    /// </summary>
    public sealed record MarkFailing(string Reason, int ConsecutiveFailures, DateTimeOffset NextAttemptAt, bool RefreshSettled) : RefreshFailureOutcome(Reason);

    /// <summary>The grant is gone; <paramref name="RotationLost"/> when an unfinished refresh is the likely cause.</summary>
    public sealed record NeedsReconnect(string Reason, bool RotationLost) : RefreshFailureOutcome(Reason);
}

/// <summary>Classifies a failed refresh attempt: retry at once, back off, or ask for a reconnect. A plain function.</summary>
public static class RefreshFailurePolicy
{
    /// <summary>Waits longer than this are honoured across calls instead of blocking the one that asked.</summary>
    public static readonly TimeSpan LongestWaitInCall = TimeSpan.FromSeconds(4);

    /// <param name="attempt">Attempts made in this call, the failed one included.</param>
    /// <param name="consecutiveFailures">Refreshes of this account that failed in a row before this call.</param>
    /// <param name="unfinishedSince">
    /// When a refresh began whose answer never arrived or was never stored, if there was one: the app may have rotated
    /// the refresh token then, and a refusal now most likely means that rotation was lost.
    /// </param>
    /// <param name="jitter01">A random value in [0, 1), passed in so the decision stays a pure function.</param>
    public static RefreshFailureOutcome Decide(TokenFailure failure, int attempt, int consecutiveFailures, DateTimeOffset? unfinishedSince,
        string appName, DateTimeOffset now, double jitter01)
    {
        if (failure.Kind == TokenFailureKind.NeedsReconnect)
        {
            return unfinishedSince is { } since
                ? new RefreshFailureOutcome.NeedsReconnect(RefreshPolicy.LostRotationReason(appName, since, failure.Reason), RotationLost: true)
                : new RefreshFailureOutcome.NeedsReconnect(failure.Reason, RotationLost: false);
        }
        var wait = RefreshPolicy.Backoff(attempt, failure.RetryAfter, jitter01);
        if (RefreshPolicy.MayTryAgain(failure.Kind, attempt) && wait <= LongestWaitInCall) return new RefreshFailureOutcome.RetryNow(failure.Reason, wait);

        var failures = Math.Max(consecutiveFailures, 0) + 1;
        var reason = failure.Kind == TokenFailureKind.ClientMisconfigured ? $"the app rejected this service's OAuth client: {failure.Reason}" : failure.Reason;
        return new RefreshFailureOutcome.MarkFailing(reason, failures, now + RefreshPolicy.Backoff(failures, failure.RetryAfter, jitter01), RefreshSettled: unfinishedSince is null);
    }
}

using Accounts.Orleans.Connections.Refresh;
using Accounts.Orleans.Connections.Tokens;

namespace Accounts.Orleans.Connections.Tests.Refresh;

public sealed class RefreshFailurePolicyTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);

    private static RefreshFailureOutcome Decide(TokenFailure failure, int attempt = 1, int consecutive = 0, DateTimeOffset? unfinishedSince = null)
        => RefreshFailurePolicy.Decide(failure, attempt, consecutive, unfinishedSince, "Acme", Now, jitter01: 0.5);

    private static TokenFailure Transient(TimeSpan? retryAfter = null, bool unanswered = false)
        => new(TokenFailureKind.Transient, null, "the app answered 503", retryAfter, unanswered);

    private static readonly TokenFailure InvalidGrant = new(TokenFailureKind.NeedsReconnect, "invalid_grant", "the app answered invalid_grant", null);

    [Fact]
    public void A_transient_failure_is_retried_within_the_call_after_a_short_wait()
        => Assert.Equal(TimeSpan.FromSeconds(1), Assert.IsType<RefreshFailureOutcome.RetryNow>(Decide(Transient())).Wait);

    [Fact]
    public void After_the_last_attempt_the_account_backs_off_and_counts_the_failure()
    {
        var failing = Assert.IsType<RefreshFailureOutcome.MarkFailing>(Decide(Transient(), attempt: RefreshPolicy.MaxAttemptsPerRefresh, consecutive: 2));

        Assert.Equal(3, failing.ConsecutiveFailures);
        Assert.Equal(Now + RefreshPolicy.Backoff(3, null, 0.5), failing.NextAttemptAt);
        Assert.True(failing.RefreshSettled);
    }

    [Fact]
    public void A_retry_after_longer_than_a_call_may_wait_is_honoured_across_calls()
    {
        var failing = Assert.IsType<RefreshFailureOutcome.MarkFailing>(Decide(Transient(retryAfter: TimeSpan.FromMinutes(1))));

        Assert.Equal(Now.AddMinutes(1), failing.NextAttemptAt);
    }

    [Fact]
    public void A_misconfigured_client_is_not_retried_and_says_the_operator_must_act()
    {
        var failing = Assert.IsType<RefreshFailureOutcome.MarkFailing>(Decide(new TokenFailure(TokenFailureKind.ClientMisconfigured, "invalid_client", "the app answered invalid_client", null)));

        Assert.StartsWith("the app rejected this service's OAuth client", failing.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_grant_needs_a_reconnect_with_the_apps_answer()
    {
        var reconnect = Assert.IsType<RefreshFailureOutcome.NeedsReconnect>(Decide(InvalidGrant));

        Assert.False(reconnect.RotationLost);
        Assert.Equal("the app answered invalid_grant", reconnect.Reason);
    }

    [Fact]
    public void Invalid_grant_after_an_unfinished_refresh_says_a_rotation_was_lost()
    {
        var reconnect = Assert.IsType<RefreshFailureOutcome.NeedsReconnect>(Decide(InvalidGrant, unfinishedSince: Now.AddMinutes(-3)));

        Assert.True(reconnect.RotationLost);
        Assert.Contains("did not finish", reconnect.Reason, StringComparison.Ordinal);
        Assert.Contains("Acme", reconnect.Reason, StringComparison.Ordinal);
        Assert.Contains("invalid_grant", reconnect.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_after_an_unanswered_attempt_leaves_the_refresh_unfinished()
        => Assert.False(Assert.IsType<RefreshFailureOutcome.MarkFailing>(Decide(Transient(), attempt: 3, unfinishedSince: Now)).RefreshSettled);
}

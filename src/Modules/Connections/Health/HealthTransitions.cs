using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.Health;

/// <summary>What the service just learned about an account's credentials.</summary>
public enum HealthSignal
{
    /// <summary>A refresh or key check succeeded.</summary>
    Worked,
    /// <summary>A refresh or key check failed after its retries, for a reason that may pass (timeout, 5xx, 429).</summary>
    FailedTransiently,
    /// <summary>The app refused the grant or the keys: only a person can fix it.</summary>
    Refused,
}

/// <summary>An account's health and the times the hysteresis rule looks at.</summary>
/// <param name="Since">When the current health began.</param>
/// <param name="LastFailureAt">The last transient failure.</param>
/// <param name="LastWorkedAt">The last success.</param>
public readonly record struct HealthRecord(AccountHealth Health, string? Reason, DateTimeOffset? Since, DateTimeOffset? LastFailureAt, DateTimeOffset? LastWorkedAt);

/// <summary>The account's health after a signal, and the webhook event the change announces, if any.</summary>
public readonly record struct HealthChange(HealthRecord Record, string? Event);

/// <summary>
/// The hysteresis rule, as a plain function. A failure that outlived its retries makes a healthy account degraded (one
/// <c>account.degraded</c>); a degraded account becomes healthy again (one <c>account.recovered</c>) only after it has
/// worked and nothing has failed for the quiet period. Failures and successes in between change its reason and times,
/// never its state, so an account that flaps announces one degraded and one recovered however often it flaps. A refusal
/// moves it to needs_reconnect from any state, once.
/// </summary>
public static class HealthTransitions
{
    public static HealthChange Observe(HealthRecord current, HealthSignal signal, string? reason, DateTimeOffset now, TimeSpan quietPeriod)
    {
        switch (signal)
        {
            case HealthSignal.Refused:
                return current.Health == AccountHealth.NeedsReconnect
                    ? new(current with { Reason = reason ?? current.Reason }, null)
                    : new(current with { Health = AccountHealth.NeedsReconnect, Reason = reason, Since = now }, WebhookEventTypes.AccountNeedsReconnect);
            case HealthSignal.FailedTransiently when current.Health == AccountHealth.Healthy:
                return new(current with { Health = AccountHealth.Degraded, Reason = reason, Since = now, LastFailureAt = now }, WebhookEventTypes.AccountDegraded);
            case HealthSignal.FailedTransiently:
                // Degraded stays degraded (its quiet period starts over); needs_reconnect waits for a person.
                return new(current with { Reason = current.Health == AccountHealth.Degraded ? reason : current.Reason, LastFailureAt = now }, null);
            case HealthSignal.Worked when current.Health == AccountHealth.NeedsReconnect:
                // The app took the credentials after all (an operator's refresh, a check): they work, so say so.
                return new(current with { Health = AccountHealth.Healthy, Reason = null, Since = now, LastWorkedAt = now }, WebhookEventTypes.AccountRecovered);
            default:
                return Settle(current with { LastWorkedAt = now }, now, quietPeriod);
        }
    }

    /// <summary>A degraded account that has worked since its last failure, and not failed for the quiet period, recovers.</summary>
    public static HealthChange Settle(HealthRecord current, DateTimeOffset now, TimeSpan quietPeriod)
    {
        if (current is not { Health: AccountHealth.Degraded, LastWorkedAt: { } worked }) return new(current, null);
        var failed = current.LastFailureAt ?? DateTimeOffset.MinValue;
        if (worked <= failed || now - failed < quietPeriod) return new(current, null);
        return new(current with { Health = AccountHealth.Healthy, Reason = null, Since = now }, WebhookEventTypes.AccountRecovered);
    }

    /// <summary>A connect or reconnect: healthy from now, whatever came before.</summary>
    public static HealthRecord Connected(DateTimeOffset now) => new(AccountHealth.Healthy, null, now, null, now);
}

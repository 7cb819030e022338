namespace Accounts.Orleans.Connections.Refresh;

/// <summary>
/// The token-endpoint calls an app allows per minute, as a bucket that refills evenly: refreshes ahead of expiry take a
/// call only when one is left and otherwise wait for a later sweep, while the token still works; a refresh that cannot
/// wait (the token has expired, a workflow is reading) always goes, and the calls it overdraws hold back those that can.
/// </summary>
public sealed class TokenBudget(int perMinute, DateTimeOffset now)
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private double _left = perMinute;
    private DateTimeOffset _at = now;

    public int PerMinute { get; private set; } = perMinute;

    /// <summary>Whether this call may go now; <paramref name="urgent"/> calls always may, and are counted all the same.</summary>
    public bool TryTake(DateTimeOffset now, bool urgent, int perMinute)
    {
        Refill(now, perMinute);
        if (_left < 1 && !urgent) return false;
        // An overdraft is bounded: a storm of expired tokens must not silence proactive refreshes for hours.
        _left = Math.Max(_left - 1, -PerMinute);
        return true;
    }

    private void Refill(DateTimeOffset now, int perMinute)
    {
        PerMinute = Math.Max(1, perMinute);
        if (now > _at) _left = Math.Min(PerMinute, _left + PerMinute * ((now - _at) / Window));
        _at = now > _at ? now : _at;
    }
}

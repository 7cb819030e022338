namespace Accounts.Orleans.Connections.Refresh;

/// <summary>What an account knows about its OAuth tokens when a read or a sweep asks for them.</summary>
/// <param name="ExpiresAt">When the access token expires; null when it does not.</param>
/// <param name="RotationUnsaved">The app has issued tokens that storage has not taken yet.</param>
/// <param name="NextAttemptAt">After a failed refresh: not before then, unless forced.</param>
/// <param name="LastFailure">Why the last refresh failed, to repeat to callers while backing off.</param>
public readonly record struct TokenState(DateTimeOffset? ExpiresAt, bool HasRefreshToken, bool RotationUnsaved, DateTimeOffset? NextAttemptAt, string? LastFailure);

/// <summary>What the caller wants: a refresh now, or fresh tokens <paramref name="Lookahead"/> ahead with the app's margin.</summary>
public readonly record struct RefreshRequest(bool Force, TimeSpan Lookahead, TimeSpan Margin);

/// <summary>
/// What to do about an account's tokens, and why: a plain function of their state and the clock (in the manner of
/// Nango's <c>shouldRefreshCredentials</c>), which the account grain only carries out.
/// </summary>
public abstract record RefreshDecision(string Reason)
{
    /// <summary>Hand out the access token the account holds.</summary>
    public sealed record UseCurrent(string Reason) : RefreshDecision(Reason);

    /// <summary>Call the app's token endpoint.</summary>
    public sealed record Refresh(string Reason) : RefreshDecision(Reason);

    /// <summary>The token expired and nothing can renew it: a person must connect the account again.</summary>
    public sealed record NeedsReconnect(string Reason) : RefreshDecision(Reason);

    /// <summary>The token expired while the app was failing: wait for the back-off rather than hammer it.</summary>
    public sealed record BackingOff(string Reason, DateTimeOffset Until) : RefreshDecision(Reason);

    /// <summary>The token expired while its successor waits for storage: no refresh may present the stored one.</summary>
    public sealed record AwaitingStorage(string Reason) : RefreshDecision(Reason);

    public static RefreshDecision Decide(TokenState tokens, RefreshRequest request, DateTimeOffset now)
    {
        var valid = tokens.ExpiresAt is not { } expiresAt || expiresAt > now;
        if (tokens.RotationUnsaved)
        {
            // Presenting the stored refresh token again would burn the chain the app just rotated.
            return valid
                ? new UseCurrent("the newest tokens are held until storage takes them")
                : new AwaitingStorage("the account's newest tokens are not stored yet because storage is unavailable; try again in a few seconds");
        }
        if (!request.Force && !RefreshPolicy.IsDue(tokens.ExpiresAt, now + request.Lookahead, request.Margin)) return new UseCurrent("not due");
        if (!tokens.HasRefreshToken)
        {
            return valid
                ? new UseCurrent("the app issued no refresh token and the access token is still valid")
                : new NeedsReconnect("the access token expired and the app issued no refresh token");
        }
        if (!request.Force && tokens.NextAttemptAt is { } next && now < next)
        {
            return valid
                ? new UseCurrent("backing off after a failed refresh; the access token is still valid")
                : new BackingOff(tokens.LastFailure ?? "the app is failing; retrying later", next);
        }
        return new Refresh(request.Force ? "asked to refresh now" : "due");
    }
}

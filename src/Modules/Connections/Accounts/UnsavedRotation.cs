namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// Tokens an app issued on a refresh that storage has not accepted yet. Once an app rotates a refresh token, these are
/// the only valid credentials of the account and exist nowhere else, so the activation holds them until a write
/// succeeds.
/// </summary>
internal sealed class UnsavedRotation(byte[] presented, TokenFields fields, AccountSecrets secrets)
{
    /// <summary>The envelope whose refresh token was presented: what storage holds until a write succeeds.</summary>
    public byte[] Presented { get; } = presented;

    public TokenFields Fields { get; } = fields;

    public AccountSecrets Secrets { get; } = secrets;

    public int FailedWrites { get; set; }

    public IGrainTimer? Retry { get; set; }
}

/// <summary>The part of an account's state that a refresh changes, to lay on top of state reread after a conflict.</summary>
internal sealed record TokenFields(byte[] SealedSecrets, DateTimeOffset? AccessTokenExpiresAt, IReadOnlyList<string> Scopes, string? UpstreamIdentity, DateTimeOffset? LastRefreshedAt)
{
    public static TokenFields Of(ConnectedAccountState account)
        => new(account.SealedSecrets!, account.AccessTokenExpiresAt, account.Scopes.ToArray(), account.UpstreamIdentity, account.LastRefreshedAt);

    public void ApplyTo(ConnectedAccountState account)
    {
        account.SealedSecrets = SealedSecrets;
        account.AccessTokenExpiresAt = AccessTokenExpiresAt;
        account.Scopes = Scopes.ToList();
        account.UpstreamIdentity = UpstreamIdentity;
        account.LastRefreshedAt = LastRefreshedAt;
        account.Health = AccountHealth.Healthy;
        account.HealthReason = null;
        account.RefreshStartedAt = null;
    }
}

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>The secret-free view of a stored account: what callers see, and exactly what the index row holds.</summary>
public static class AccountSummaries
{
    /// <param name="refreshMargin">How long before expiry the account refreshes, to say when it next will.</param>
    public static AccountSummary Of(string id, ConnectedAccountState account, TimeSpan refreshMargin)
        => Summarize(id, account, account is { AccessTokenExpiresAt: { } expires, DeletedAt: null } && account.AuthType.IssuesTokens() ? expires - refreshMargin : null);

    /// <summary>
    /// The summary as of <paramref name="now"/>: a healthy account whose token is due and not yet refreshed reads as
    /// <see cref="AccountHealth.Expiring"/>. Stored summaries never say so, because it changes with the clock alone.
    /// </summary>
    public static AccountSummary AsOf(AccountSummary summary, DateTimeOffset now)
        => summary is { Health: AccountHealth.Healthy, NextRefreshAt: { } due } && due <= now ? summary with { Health = AccountHealth.Expiring } : summary;

    public static AccountSummary Summarize(string id, ConnectedAccountState account, DateTimeOffset? nextRefreshAt) => new()
    {
        Id = id,
        WorkspaceId = account.WorkspaceId!,
        AppSlug = account.AppSlug,
        Nickname = account.Nickname,
        AuthType = account.AuthType,
        Health = account.Health,
        HealthReason = account.HealthReason,
        GrantedScopes = account.Scopes.ToArray(),
        AccessTokenExpiresAt = account.AccessTokenExpiresAt,
        LastRefreshedAt = account.LastRefreshedAt,
        NextRefreshAt = nextRefreshAt,
        CreatedAt = account.CreatedAt,
        UpdatedAt = account.UpdatedAt,
        LastUsedAt = account.LastUsedAt,
        LinkedSteps = account.Links.ToArray(),
        Fields = new Dictionary<string, string>(account.DisplayFields, StringComparer.Ordinal),
        UpstreamIdentity = account.UpstreamIdentity,
        HealthSince = account.HealthSince,
        LastCheckedAt = account.LastCheckedAt,
        NextCheckAt = account.DeletedAt is null ? account.NextCheckAt : null,
        Connection = new Dictionary<string, string>(account.Connection, StringComparer.Ordinal),
    };
}

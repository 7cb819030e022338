namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// The stored account. Secrets live only in <see cref="SealedSecrets"/> (an envelope bound to this account and
/// workspace); everything else is metadata a person may see.
/// </summary>
[GenerateSerializer, Alias("accounts.account-state")]
public sealed class ConnectedAccountState
{
    /// <summary>Null until the account is created: an id nobody connected has no workspace.</summary>
    [Id(0)] public string? WorkspaceId { get; set; }
    [Id(1)] public string AppSlug { get; set; } = "";
    [Id(2)] public string Nickname { get; set; } = "";
    [Id(3)] public AuthType AuthType { get; set; }
    [Id(4)] public byte[]? SealedSecrets { get; set; }
    /// <summary>Key fields for display: non-secret values in full, secret ones already masked.</summary>
    [Id(5)] public Dictionary<string, string> DisplayFields { get; set; } = new(StringComparer.Ordinal);
    [Id(6)] public List<WorkflowStep> Links { get; set; } = [];
    [Id(7)] public AccountHealth Health { get; set; }
    [Id(8)] public string? HealthReason { get; set; }
    [Id(9)] public DateTimeOffset CreatedAt { get; set; }
    [Id(10)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(11)] public DateTimeOffset? LastUsedAt { get; set; }
    [Id(12)] public DateTimeOffset? DeletedAt { get; set; }
    [Id(13)] public DateTimeOffset? AccessTokenExpiresAt { get; set; }
    [Id(14)] public List<string> Scopes { get; set; } = [];
    [Id(15)] public DateTimeOffset? LastRefreshedAt { get; set; }
    [Id(16)] public string? UpstreamIdentity { get; set; }
    /// <summary>
    /// Set, and stored, before the token endpoint is called; cleared when its answer is stored. An activation that finds
    /// it set knows a refresh ended without a stored answer (its silo died, or the answer was lost), so the app may have
    /// rotated the refresh token this state still holds.
    /// </summary>
    [Id(17)] public DateTimeOffset? RefreshStartedAt { get; set; }
    /// <summary>Refreshes that failed in a row; stored so that a new activation keeps backing off.</summary>
    [Id(18)] public int ConsecutiveRefreshFailures { get; set; }
    /// <summary>After failed refreshes: no refresh before then, unless an operator forces one.</summary>
    [Id(19)] public DateTimeOffset? NextRefreshAttemptAt { get; set; }
    /// <summary>When the current health began.</summary>
    [Id(20)] public DateTimeOffset? HealthSince { get; set; }
    /// <summary>The last refresh or key check that failed for a reason that may pass; a degraded account recovers only after a quiet period since.</summary>
    [Id(21)] public DateTimeOffset? LastFailureAt { get; set; }
    [Id(22)] public DateTimeOffset? LastWorkedAt { get; set; }
    /// <summary>
    /// Events stored with the change they describe, in the same write, and handed to the outbox after it: kept until the
    /// outbox has them, so a silo that dies in between loses none (the next activation hands them over again).
    /// </summary>
    [Id(23)] public List<Webhooks.OutboxEvent> PendingEvents { get; set; } = [];
    /// <summary>Key-based accounts: when the app's test request last ran against the keys.</summary>
    [Id(24)] public DateTimeOffset? LastCheckedAt { get; set; }
    /// <summary>Key-based accounts: when the keys are next checked at the app; null when they never are.</summary>
    [Id(25)] public DateTimeOffset? NextCheckAt { get; set; }
    /// <summary>What the app's URLs take for this account: its connection settings and values captured at connect (<see cref="ConnectionUrls"/>).</summary>
    [Id(26)] public Dictionary<string, string> Connection { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>The plaintext inside an account's envelope; exists only in memory, never logged (no values in ToString).</summary>
/// <param name="TokenOrigin">Where the OAuth tokens may be refreshed (see <see cref="Refresh.EndpointPins"/>); null for keys, and for accounts sealed before pins existed until their next refresh.</param>
/// <param name="RevokeOrigin">Where they may be revoked.</param>
/// <param name="TokenSecret">An OAuth 1.0a token's secret, which signs every call made with the token.</param>
public sealed record AccountSecrets(IReadOnlyDictionary<string, string> Fields, string? AccessToken, string? RefreshToken, string? TokenType,
    string? TokenOrigin = null, string? RevokeOrigin = null, string? TokenSecret = null)
{
    public override string ToString() => "AccountSecrets { *** }";
}

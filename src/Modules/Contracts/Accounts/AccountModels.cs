using System.Text.Json.Serialization;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// How usable an account is right now. It moves healthy → degraded (a refresh or a key check failed after its retries)
/// → healthy again once nothing has failed for the quiet period, or to needs_reconnect when the app refuses the grant or
/// the keys; a reconnect makes it healthy. The README's "Account health" says it in full.
/// </summary>
[JsonConverter(typeof(AccountHealthJsonConverter))]
[GenerateSerializer, Alias("accounts.health")]
public enum AccountHealth
{
    [JsonStringEnumMemberName("healthy")] Healthy = 0,
    /// <summary>
    /// The access token is due for a refresh (its refresh time has passed) and has not been refreshed yet: reported by
    /// reads and lists as of the moment they answer, never stored.
    /// </summary>
    [JsonStringEnumMemberName("expiring")] Expiring = 1,
    /// <summary>The app refused the refresh token (or the keys); a person must connect it again.</summary>
    [JsonStringEnumMemberName("needs_reconnect")] NeedsReconnect = 2,
    /// <summary>
    /// A refresh or key check failed for a reason that may pass (the app was down); the last credentials are still handed
    /// out. It stays degraded, however often it flaps, until nothing has failed for the quiet period.
    /// </summary>
    [JsonStringEnumMemberName("degraded")] Degraded = 3,
    [JsonStringEnumMemberName("deleted")] Deleted = 4,
}

/// <summary>One step of one workflow that uses an account.</summary>
[GenerateSerializer, Alias("accounts.workflow-step"), Immutable]
public sealed record WorkflowStep(
    [property: Id(0)] string WorkflowId,
    [property: Id(1)] string StepId);

/// <summary>Who asks for credentials: the workflow engine names the workspace, workflow and step it runs.</summary>
[GenerateSerializer, Alias("accounts.credential-request"), Immutable]
public sealed record CredentialRequest(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string WorkflowId,
    [property: Id(2)] string StepId);

/// <summary>Everything about an account except its secrets.</summary>
[GenerateSerializer, Alias("accounts.summary"), Immutable]
public sealed record AccountSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string WorkspaceId { get; init; }
    [Id(2)] public required string AppSlug { get; init; }
    [Id(3)] public required string Nickname { get; init; }
    [Id(4)] public required AuthType AuthType { get; init; }
    [Id(5)] public required AccountHealth Health { get; init; }
    [Id(6)] public string? HealthReason { get; init; }
    [Id(7)] public IReadOnlyList<string> GrantedScopes { get; init; } = [];
    [Id(8)] public DateTimeOffset? AccessTokenExpiresAt { get; init; }
    [Id(9)] public DateTimeOffset? LastRefreshedAt { get; init; }
    [Id(10)] public DateTimeOffset? NextRefreshAt { get; init; }
    [Id(11)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(12)] public required DateTimeOffset UpdatedAt { get; init; }
    [Id(13)] public DateTimeOffset? LastUsedAt { get; init; }
    [Id(14)] public IReadOnlyList<WorkflowStep> LinkedSteps { get; init; } = [];
    /// <summary>Key fields as a person may see them: non-secret values in full, secret ones masked to their last four characters.</summary>
    [Id(15)] public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    /// <summary>Who the account is at the app (user or tenant id) when the app says so.</summary>
    [Id(16)] public string? UpstreamIdentity { get; init; }
    /// <summary>When the current health began (when it became degraded, say).</summary>
    [Id(17)] public DateTimeOffset? HealthSince { get; init; }
    /// <summary>Key-based accounts: when the keys were last tried at the app, and when they next will be.</summary>
    [Id(18)] public DateTimeOffset? LastCheckedAt { get; init; }
    [Id(19)] public DateTimeOffset? NextCheckAt { get; init; }
    /// <summary>Where the account lives: its connection settings and values captured at connect (a shop, an instance URL); no secret.</summary>
    [Id(20)] public IReadOnlyDictionary<string, string> Connection { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// What a workflow step gets to call the app: an access token, or the key fields. Its <see cref="ToString"/> never
/// prints a value, so a bundle that reaches a log by mistake leaks nothing.
/// </summary>
[GenerateSerializer, Alias("accounts.credential-bundle"), Immutable]
public sealed record CredentialBundle
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public required string AppSlug { get; init; }
    [Id(2)] public required AuthType AuthType { get; init; }
    [Id(3)] public string? AccessToken { get; init; }
    [Id(4)] public string? TokenType { get; init; }
    [Id(5)] public DateTimeOffset? ExpiresAt { get; init; }
    [Id(6)] public IReadOnlyList<string> Scopes { get; init; } = [];
    /// <summary>Key fields (key-based apps) or app-specific values returned with the token (OAuth apps).</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();
    /// <summary>Where to call the app for this account: its connection settings and captured values (Salesforce's <c>instance_url</c>).</summary>
    [Id(8)] public IReadOnlyDictionary<string, string> Connection { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"CredentialBundle {{ AccountId = {AccountId}, AppSlug = {AppSlug}, AuthType = {AuthType}, ExpiresAt = {ExpiresAt} }}";
}

/// <summary>Connect an account of a key-based app.</summary>
[GenerateSerializer, Alias("accounts.key-connect"), Immutable]
public sealed record KeyConnectRequest
{
    [Id(0)] public required string WorkspaceId { get; init; }
    [Id(1)] public required string AppSlug { get; init; }
    [Id(2)] public required string Nickname { get; init; }
    [Id(3)] public required IReadOnlyDictionary<string, string> Fields { get; init; }
    /// <summary>Who does it, for the audit trail (an operator, a user id from the platform).</summary>
    [Id(4)] public required string Actor { get; init; }

    public override string ToString() => $"KeyConnectRequest {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug}, Nickname = {Nickname}, Fields = [{string.Join(", ", Fields?.Keys ?? [])}] }}";
}

/// <summary>New key values for an existing account; the account keeps its id and every link.</summary>
[GenerateSerializer, Alias("accounts.key-reconnect"), Immutable]
public sealed record KeyReconnectRequest
{
    [Id(0)] public required string AccountId { get; init; }
    [Id(1)] public required string WorkspaceId { get; init; }
    [Id(2)] public required IReadOnlyDictionary<string, string> Fields { get; init; }
    [Id(3)] public required string Actor { get; init; }

    public override string ToString() => $"KeyReconnectRequest {{ AccountId = {AccountId}, WorkspaceId = {WorkspaceId}, Fields = [{string.Join(", ", Fields?.Keys ?? [])}] }}";
}

/// <summary>An entry of the audit trail; it never holds a secret.</summary>
[GenerateSerializer, Alias("accounts.audit-event"), Immutable]
public sealed record AuditEvent(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string WorkspaceId,
    [property: Id(3)] string Action,
    [property: Id(4)] string Actor,
    [property: Id(5)] string? WorkflowId,
    [property: Id(6)] string? StepId,
    [property: Id(7)] string? Detail);

/// <summary>A search over the account index; every filter is optional, pages are keyset-based.</summary>
[GenerateSerializer, Alias("accounts.query"), Immutable]
public sealed record AccountQuery
{
    [Id(0)] public string? WorkspaceId { get; init; }
    [Id(1)] public string? AppSlug { get; init; }
    /// <summary>Matches anywhere in the nickname, case-insensitively.</summary>
    [Id(2)] public string? Text { get; init; }
    [Id(3)] public AccountHealth? Health { get; init; }
    [Id(4)] public string? WorkflowId { get; init; }
    [Id(5)] public int Limit { get; init; } = DefaultLimit;
    [Id(6)] public string? Cursor { get; init; }
    [Id(7)] public bool IncludeDeleted { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;
}

[GenerateSerializer, Alias("accounts.page"), Immutable]
public sealed record AccountPage(
    [property: Id(0)] IReadOnlyList<AccountSummary> Items,
    [property: Id(1)] string? Next);

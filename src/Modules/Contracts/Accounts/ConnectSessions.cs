using System.Text.Json.Serialization;
using Accounts.Orleans.Contracts.Access;
using Orleans.Concurrency;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// A short-lived, single-use invitation for an end user to connect an account in one workspace, through the hosted
/// connect page; created by a backend (key id: <c>cs_</c> + ULID).
/// </summary>
[Alias("accounts.IConnectSessionGrain")]
public interface IConnectSessionGrain : IGrainWithStringKey
{
    /// <summary>The session and its outcome; another workspace's session answers as an unknown one.</summary>
    /// <exception cref="ConnectSessionNotFoundException">No session has this id, or the caller may not see it.</exception>
    [Alias("Get"), AlwaysInterleave, RequiresScope(Scopes.AccountsRead)]
    Task<ConnectSessionView> GetAsync();
}

/// <summary>What the hosted connect page does with a session's token; the service's own pages call it, no API key can.</summary>
[Alias("accounts.IConnectSessionUseGrain"), ServiceOnly]
public interface IConnectSessionUseGrain : IGrainWithStringKey
{
    /// <summary>The session a token opens, while it is pending and not expired.</summary>
    /// <exception cref="ConnectSessionRefusedException">The token is unknown, wrong, expired or already spent.</exception>
    [Alias("Open")]
    Task<ConnectSessionView> OpenAsync(string token);

    /// <summary>Connects (or, for a reconnect session, reconnects) a key-based account and spends the session.</summary>
    [Alias("ConnectWithKeys")]
    Task<AccountSummary> ConnectWithKeysAsync(string token, string appSlug, string nickname, IReadOnlyDictionary<string, string> fields);

    /// <summary>Begins the OAuth consent for an allowed app; the session is spent when the callback connects the account.</summary>
    [Alias("StartOAuth")]
    Task<OAuthStarted> StartOAuthAsync(string token, string appSlug, string nickname, IReadOnlyDictionary<string, string>? settings = null);

    /// <summary>Ends the session with an account the workspace already has, of an allowed app.</summary>
    [Alias("ChooseAccount")]
    Task<ConnectSessionView> ChooseAccountAsync(string token, string accountId);

    /// <summary>Records how the OAuth flow this session started ended (called by the flow).</summary>
    [Alias("FlowEnded")]
    Task FlowEndedAsync(string flowKey, string? accountId, string? error);
}

/// <summary>A backend's request for a connect session.</summary>
[GenerateSerializer, Alias("accounts.connect-session-request"), Immutable]
public sealed record ConnectSessionRequest
{
    [Id(0)] public required string WorkspaceId { get; init; }
    /// <summary>The backend's own id for the person (recorded, never interpreted).</summary>
    [Id(1)] public string? EndUserId { get; init; }
    /// <summary>The apps the person may choose from; empty for every enabled app.</summary>
    [Id(2)] public IReadOnlyList<string> Apps { get; init; } = [];
    /// <summary>An account of the workspace to connect again (its app is then the only choice).</summary>
    [Id(3)] public string? ReconnectAccountId { get; init; }
    [Id(4)] public string? SuccessRedirectUrl { get; init; }
    [Id(5)] public string? ErrorRedirectUrl { get; init; }
    /// <summary>How long the link works: 30 minutes when not given, at most 4 hours.</summary>
    [Id(6)] public TimeSpan? Lifetime { get; init; }

    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(30);
    public static readonly TimeSpan MaxLifetime = TimeSpan.FromHours(4);
    public const int MaxApps = 500;
}

/// <summary>A new session: the token is shown once, here, and stored only as a hash.</summary>
[GenerateSerializer, Alias("accounts.connect-session-created"), Immutable]
public sealed record ConnectSessionCreated(
    [property: Id(0)] string Id,
    [property: Id(1)] string Token,
    [property: Id(2)] string Url,
    [property: Id(3)] DateTimeOffset ExpiresAt)
{
    public override string ToString() => $"ConnectSessionCreated {{ Id = {Id}, ExpiresAt = {ExpiresAt:O} }}";
}

[JsonConverter(typeof(JsonStringEnumConverter<ConnectSessionStatus>))]
[GenerateSerializer, Alias("accounts.connect-session-status")]
public enum ConnectSessionStatus
{
    [JsonStringEnumMemberName("pending")] Pending = 0,
    /// <summary>An account was connected, reconnected or chosen: <see cref="ConnectSessionView.AccountId"/>.</summary>
    [JsonStringEnumMemberName("completed")] Completed = 1,
    /// <summary>Its time ran out with no account connected (a failed consent does not end a session: the person may try again).</summary>
    [JsonStringEnumMemberName("expired")] Expired = 2,
}

/// <summary>A session as its backend and the connect page see it; never its token.</summary>
[GenerateSerializer, Alias("accounts.connect-session"), Immutable]
public sealed record ConnectSessionView
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string WorkspaceId { get; init; }
    [Id(2)] public string? EndUserId { get; init; }
    /// <summary>The apps allowed; empty for every app.</summary>
    [Id(3)] public IReadOnlyList<string> Apps { get; init; } = [];
    [Id(4)] public string? ReconnectAccountId { get; init; }
    [Id(5)] public required ConnectSessionStatus Status { get; init; }
    [Id(6)] public string? AccountId { get; init; }
    /// <summary>How the last attempt failed, as a code (<c>denied</c>, <c>exchange_failed</c>, …); never an app's own text.</summary>
    [Id(7)] public string? Error { get; init; }
    [Id(8)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(9)] public required DateTimeOffset ExpiresAt { get; init; }
    [Id(10)] public DateTimeOffset? CompletedAt { get; init; }
    [Id(11)] public string? SuccessRedirectUrl { get; init; }
    [Id(12)] public string? ErrorRedirectUrl { get; init; }
    [Id(13)] public required string CreatedBy { get; init; }
}

[GenerateSerializer, Alias("accounts.error.connect-session-not-found")]
public sealed class ConnectSessionNotFoundException(string sessionId) : AccountException($"No connect session '{sessionId}'.")
{
    [Id(0)] public string SessionId { get; } = sessionId;
}

[GenerateSerializer, Alias("accounts.connect-session-refusal")]
public enum ConnectSessionRefusal
{
    /// <summary>No such session, or the token does not match it; which of the two is not said.</summary>
    Unknown = 0,
    Expired = 1,
    /// <summary>The session already connected an account (or ended); a link works once.</summary>
    Spent = 2,
    /// <summary>The app is not among the session's apps.</summary>
    AppNotAllowed = 3,
}

/// <summary>The connect page's token cannot do what was asked; <see cref="Reason"/> says why, in words a page can show.</summary>
[GenerateSerializer, Alias("accounts.error.connect-session-refused")]
public sealed class ConnectSessionRefusedException(ConnectSessionRefusal reason) : AccountException(reason switch
{
    ConnectSessionRefusal.Expired => "This connect link has expired; ask for a new one.",
    ConnectSessionRefusal.Spent => "This connect link was already used; ask for a new one.",
    ConnectSessionRefusal.AppNotAllowed => "This connect link does not offer that app.",
    _ => "This connect link is not valid.",
})
{
    [Id(0)] public ConnectSessionRefusal Reason { get; } = reason;
}

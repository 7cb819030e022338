namespace Accounts.Orleans.Connections.Connect;

/// <summary>A connect session as stored: the token only as a hash.</summary>
[GenerateSerializer, Alias("accounts.connect-session-state")]
public sealed class ConnectSessionState
{
    [Id(0)] public string? WorkspaceId { get; set; }
    [Id(1)] public string? EndUserId { get; set; }
    [Id(2)] public List<string> Apps { get; set; } = [];
    [Id(3)] public string? ReconnectAccountId { get; set; }
    [Id(4)] public string? SuccessRedirectUrl { get; set; }
    [Id(5)] public string? ErrorRedirectUrl { get; set; }
    [Id(6)] public byte[] TokenHash { get; set; } = [];
    [Id(7)] public DateTimeOffset CreatedAt { get; set; }
    [Id(8)] public DateTimeOffset ExpiresAt { get; set; }
    [Id(9)] public ConnectSessionStatus Status { get; set; }
    [Id(10)] public string? AccountId { get; set; }
    [Id(11)] public string? Error { get; set; }
    [Id(12)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(13)] public string CreatedBy { get; set; } = "";
    /// <summary>The OAuth flows this session started that may still end (their flow keys, never the state values).</summary>
    [Id(14)] public List<string> Flows { get; set; } = [];
    /// <summary>Events stored with the change they describe and handed to the outbox after it (see the account's).</summary>
    [Id(15)] public List<Webhooks.OutboxEvent> PendingEvents { get; set; } = [];
}

/// <summary>What the connector hands a new session grain.</summary>
[GenerateSerializer, Alias("accounts.connect-session-begin"), Immutable]
public sealed record ConnectSessionBegin(
    [property: Id(0)] ConnectSessionRequest Request,
    [property: Id(1)] IReadOnlyList<string> Apps,
    [property: Id(2)] TimeSpan Lifetime,
    [property: Id(3)] byte[] TokenHash,
    [property: Id(4)] string CreatedBy);

/// <summary>Creates a session; only the connector calls it, with what it has checked.</summary>
[Alias("accounts.IConnectSessionSetupGrain")]
public interface IConnectSessionSetupGrain : IGrainWithStringKey
{
    [Alias("Begin")]
    Task<ConnectSessionView> BeginAsync(ConnectSessionBegin begin);
}

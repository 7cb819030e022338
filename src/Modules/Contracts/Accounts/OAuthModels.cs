using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>Start connecting an OAuth account (or reconnecting one, which keeps its id and links).</summary>
[GenerateSerializer, Alias("accounts.oauth-start"), Immutable]
public sealed record OAuthStartRequest
{
    [Id(0)] public required string WorkspaceId { get; init; }
    [Id(1)] public required string AppSlug { get; init; }
    [Id(2)] public required string Nickname { get; init; }
    /// <summary>Scopes to ask for beyond the app's defaults.</summary>
    [Id(3)] public IReadOnlyList<string> ExtraScopes { get; init; } = [];
    [Id(4)] public required string Actor { get; init; }
    /// <summary>The account whose credentials the new authorization replaces; null for a new account.</summary>
    [Id(5)] public string? ReconnectAccountId { get; init; }
    /// <summary>The connect session that started the flow, told how it ends; set by the session, never by a caller.</summary>
    [Id(6)] public string? ConnectSessionId { get; init; }
    /// <summary>The app's connection settings (a shop, a region), by name; see <see cref="Catalog.AppDefinition.Settings"/>.</summary>
    [Id(7)] public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();
}

/// <summary>
/// Where to send the person, and until when the flow waits for them. <see cref="Url"/> is the Host's start page, not
/// the app's: it binds the flow to the browser that opens it first, and only that browser's callback completes it, so
/// a consent link passed to someone else cannot land their account here.
/// </summary>
[GenerateSerializer, Alias("accounts.oauth-started"), Immutable]
public sealed record OAuthStarted(
    [property: Id(0)] string State,
    [property: Id(1)] string Url,
    [property: Id(2)] DateTimeOffset ExpiresAt);

/// <summary>What a flow connects, as its start page tells the person before sending them to the app.</summary>
[GenerateSerializer, Alias("accounts.oauth-flow-preview"), Immutable]
public sealed record OAuthFlowPreview(
    [property: Id(0)] string AppSlug,
    [property: Id(1)] string WorkspaceId,
    [property: Id(2)] string Nickname,
    [property: Id(3)] string? ReconnectAccountId,
    [property: Id(4)] DateTimeOffset ExpiresAt);

/// <summary>
/// What the app's redirect brought back to <c>/oauth/callback</c>: a code (OAuth 2.0), or the request token and its
/// verifier (OAuth 1.0a, RFC 5849 §2.2).
/// </summary>
[GenerateSerializer, Alias("accounts.oauth-callback"), Immutable]
public sealed record OAuthCallback(
    [property: Id(0)] string? Code,
    [property: Id(1)] string? Error,
    [property: Id(2)] string? ErrorDescription,
    [property: Id(3)] string? Issuer,
    [property: Id(4)] string? OAuthToken = null,
    [property: Id(5)] string? OAuthVerifier = null)
{
    public override string ToString() => $"OAuthCallback {{ Code = {(Code is null ? "null" : "***")}, Error = {Error}, Issuer = {Issuer}, OAuthVerifier = {(OAuthVerifier is null ? "null" : "***")} }}";
}

[JsonConverter(typeof(JsonStringEnumConverter<OAuthFlowStatus>))]
[GenerateSerializer, Alias("accounts.oauth-flow-status")]
public enum OAuthFlowStatus
{
    [JsonStringEnumMemberName("unknown")] Unknown = 0,
    [JsonStringEnumMemberName("pending")] Pending = 1,
    [JsonStringEnumMemberName("completed")] Completed = 2,
    [JsonStringEnumMemberName("failed")] Failed = 3,
    [JsonStringEnumMemberName("expired")] Expired = 4,
}

/// <summary>Where a flow stands; the console polls it to show the new account as soon as the callback arrives.</summary>
[GenerateSerializer, Alias("accounts.oauth-flow-state"), Immutable]
public sealed record OAuthFlowView(
    [property: Id(0)] OAuthFlowStatus Status,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] string? Message);

/// <summary>The account a completed flow created or reconnected.</summary>
[GenerateSerializer, Alias("accounts.oauth-completed"), Immutable]
public sealed record OAuthCompleted(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] bool Reconnected,
    /// <summary>Set when a reconnect authorized a different upstream identity than before.</summary>
    [property: Id(3)] string? Warning,
    /// <summary>The connect session that started the flow, whose page the person returns to.</summary>
    [property: Id(4)] string? ConnectSessionId = null);

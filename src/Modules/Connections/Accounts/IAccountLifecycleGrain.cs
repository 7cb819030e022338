using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// How the Connections module itself creates and re-keys an account. Not in the contracts: only the connector (and
/// later the OAuth flow) may hand an account its credentials.
/// </summary>
[Alias("accounts.IAccountLifecycleGrain")]
public interface IAccountLifecycleGrain : IGrainWithStringKey
{
    [Alias("CreateWithKeys")]
    Task<AccountSummary> CreateWithKeysAsync(NewKeyAccount account);

    [Alias("ReplaceKeys")]
    Task<AccountSummary> ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor);

    [Alias("CreateWithTokens")]
    Task<AccountSummary> CreateWithTokensAsync(NewOAuthAccount account);

    /// <summary>A reconnect: new tokens for the same account; the warning is set when the upstream identity changed.</summary>
    [Alias("ReplaceTokens")]
    Task<(AccountSummary Summary, string? Warning)> ReplaceTokensAsync(string workspaceId, ReceivedTokens tokens, string actor);

    /// <summary>The sweeper's nudge: refresh when the token will be due within <paramref name="lookahead"/>, otherwise do nothing.</summary>
    [Alias("RefreshIfDue")]
    Task RefreshIfDueAsync(TimeSpan lookahead);

    /// <summary>Re-wraps the data key under the active master key; false when it already was (or holds no secrets).</summary>
    [Alias("Rewrap")]
    Task<bool> RewrapAsync();
}

/// <summary>Tokens from a code exchange, on their way into an account's envelope.</summary>
[GenerateSerializer, Alias("accounts.received-tokens"), Immutable]
public sealed record ReceivedTokens(
    [property: Id(0)] string AccessToken,
    [property: Id(1)] string? RefreshToken,
    [property: Id(2)] string TokenType,
    [property: Id(3)] DateTimeOffset? ExpiresAt,
    [property: Id(4)] IReadOnlyList<string> Scopes,
    [property: Id(5)] string? Identity)
{
    /// <summary>Tokens from a token response; what the app did not say (scopes, identity) is taken from <paramref name="scopes"/> and <paramref name="identity"/>.</summary>
    public static ReceivedTokens From(Tokens.TokenGrant grant, IReadOnlyList<string> scopes, string? identity)
        => new(grant.AccessToken, grant.RefreshToken, grant.TokenType, grant.ExpiresAt, grant.Scopes ?? scopes, grant.Identity ?? identity);

    public override string ToString() => $"ReceivedTokens {{ ExpiresAt = {ExpiresAt}, Scopes = {string.Join(' ', Scopes)}, Identity = {Identity} }}";
}

[GenerateSerializer, Alias("accounts.new-oauth-account"), Immutable]
public sealed record NewOAuthAccount(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] ReceivedTokens Tokens,
    [property: Id(4)] string Actor);

[GenerateSerializer, Alias("accounts.new-key-account"), Immutable]
public sealed record NewKeyAccount(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] IReadOnlyDictionary<string, string> Values,
    [property: Id(4)] IReadOnlyDictionary<string, string> DisplayFields,
    [property: Id(5)] string Actor)
{
    public override string ToString() => $"NewKeyAccount {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug}, Nickname = {Nickname} }}";
}

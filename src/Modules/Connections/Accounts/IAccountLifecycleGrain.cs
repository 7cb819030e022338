namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// How the Connections module itself creates and re-keys an account. Not in the contracts: only the connector (and
/// later the OAuth flow) may hand an account its credentials.
/// </summary>
[Alias("accounts.IAccountLifecycleGrain")]
public interface IAccountLifecycleGrain : IGrainWithStringKey
{
    /// <summary>
    /// The account as the connector checks it before a reconnect: the caller needs the right to write accounts, not
    /// also to read them. Another workspace's account is as unknown as it is to <see cref="IConnectedAccountGrain.GetAsync"/>.
    /// </summary>
    [Alias("Describe"), global::Orleans.Concurrency.AlwaysInterleave]
    Task<AccountSummary> DescribeAsync();

    [Alias("CreateWithKeys")]
    Task<AccountSummary> CreateWithKeysAsync(NewKeyAccount account);

    /// <param name="tokens">For a client-credentials account, the token its new credentials fetched; null for keys.</param>
    [Alias("ReplaceKeys")]
    Task<AccountSummary> ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor,
        ReceivedTokens? tokens = null);

    [Alias("CreateWithTokens")]
    Task<AccountSummary> CreateWithTokensAsync(NewOAuthAccount account);

    /// <summary>A reconnect: new tokens for the same account; the warning is set when the upstream identity changed.</summary>
    [Alias("ReplaceTokens")]
    Task<(AccountSummary Summary, string? Warning)> ReplaceTokensAsync(string workspaceId, ReceivedTokens tokens, string actor);

    /// <summary>The sweeper's nudge: refresh when the token will be due within <paramref name="lookahead"/>, otherwise do nothing.</summary>
    [Alias("RefreshIfDue")]
    Task RefreshIfDueAsync(TimeSpan lookahead);

    /// <summary>The sweeper's nudge to a degraded account: recovers it once it has been quiet long enough.</summary>
    [Alias("SettleHealth")]
    Task SettleHealthAsync();

    /// <summary>The sweeper's nudge to a key-based account: tries its keys at the app when their check is due.</summary>
    [Alias("CheckKeysIfDue")]
    Task CheckKeysIfDueAsync();

    /// <summary>
    /// What the proxy needs to call the app for a linked step, checked exactly as a credential read is; after the app
    /// refused the credentials (<paramref name="afterRefusal"/>), an OAuth account refreshes first (single flight).
    /// </summary>
    [Alias("PrepareProxy")]
    Task<Proxy.ProxyCredentials> PrepareProxyAsync(CredentialRequest request, bool afterRefusal);

    /// <summary>Re-wraps the data key under the active master key; false when it already was (or holds no secrets).</summary>
    [Alias("Rewrap")]
    Task<bool> RewrapAsync();
}

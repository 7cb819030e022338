using Accounts.Orleans.Contracts.Access;


namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>Connects new accounts and reconnects existing ones; stateless, activated on every silo.</summary>
[Alias("accounts.IAccountConnectorGrain")]
public interface IAccountConnectorGrain : IGrainWithIntegerKey
{
    /// <exception cref="AccountValidationException">A field is missing, too long or does not match the app's rule.</exception>
    /// <exception cref="KeyVerificationFailedException">The app refused the keys when they were tried.</exception>
    [Alias("ConnectWithKeys"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> ConnectWithKeysAsync(KeyConnectRequest request);

    /// <exception cref="AccountValidationException">A field is missing, too long or does not match the app's rule.</exception>
    /// <exception cref="KeyVerificationFailedException">The app refused the keys when they were tried.</exception>
    [Alias("ReconnectWithKeys"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> ReconnectWithKeysAsync(KeyReconnectRequest request);

    /// <summary>Begins an OAuth authorization: the URL to send the person to, with state and PKCE.</summary>
    /// <exception cref="AccountValidationException">Unknown app, a key-based app, or malformed input.</exception>
    /// <exception cref="OAuthClientNotConfiguredException">This deployment has no OAuth client for the app.</exception>
    [Alias("StartOAuth"), RequiresScope(Scopes.AccountsWrite)]
    Task<OAuthStarted> StartOAuthAsync(OAuthStartRequest request);

    /// <summary>A single-use link for an end user to connect an account of the workspace on the hosted connect page.</summary>
    /// <exception cref="AccountValidationException">Unknown apps, a redirect outside the allowed list, a lifetime past 4 hours.</exception>
    /// <exception cref="PermissionDeniedException">The key belongs to another workspace.</exception>
    [Alias("CreateConnectSession"), RequiresScope(Scopes.AccountsWrite)]
    Task<ConnectSessionCreated> CreateConnectSessionAsync(ConnectSessionRequest request);
}

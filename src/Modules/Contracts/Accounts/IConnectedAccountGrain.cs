using Orleans.Concurrency;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// One connected account (key: its id, <c>acct_</c> + ULID). It owns the account's credentials, is the only writer
/// of its state, and checks the caller's workspace before it touches a secret.
/// </summary>
[Alias("accounts.IConnectedAccountGrain")]
public interface IConnectedAccountGrain : IGrainWithStringKey
{
    /// <summary>
    /// The account without its secrets. Answers at once, even while the account is busy refreshing its tokens or
    /// storing a change: it only reads what the activation holds.
    /// </summary>
    /// <exception cref="AccountNotFoundException">No account has this id.</exception>
    [Alias("Get"), AlwaysInterleave]
    Task<AccountSummary> GetAsync();

    /// <summary>The credentials a workflow step uses; a warm read with a valid token does no I/O.</summary>
    /// <exception cref="AccountNotFoundException">No account has this id.</exception>
    /// <exception cref="AccountAccessDeniedException">The account belongs to another workspace.</exception>
    /// <exception cref="StepNotLinkedException">The step is not linked to the account.</exception>
    /// <exception cref="AccountNeedsReconnectException">The app refused the account's credentials.</exception>
    /// <exception cref="AccountDeletedException">The account was deleted.</exception>
    /// <exception cref="CredentialsUnavailableException">The service cannot open stored credentials (its master key is missing or wrong).</exception>
    [Alias("GetCredentials")]
    Task<CredentialBundle> GetCredentialsAsync(CredentialRequest request);

    /// <exception cref="AccountAccessDeniedException">The account belongs to another workspace.</exception>
    [Alias("Link")]
    Task<AccountSummary> LinkAsync(string workspaceId, WorkflowStep step);

    [Alias("Unlink")]
    Task<AccountSummary> UnlinkAsync(string workspaceId, WorkflowStep step);

    /// <exception cref="AccountValidationException">The nickname is empty or too long.</exception>
    [Alias("Rename")]
    Task<AccountSummary> RenameAsync(string nickname, string actor);

    /// <summary>Operator "refresh now": refreshes an OAuth token even when it is not due.</summary>
    [Alias("Refresh")]
    Task<AccountSummary> RefreshAsync(string actor);

    /// <summary>Revokes where the app supports it, erases the secrets and keeps a secret-free tombstone.</summary>
    /// <exception cref="AccountStillLinkedException">Workflows still use the account and <paramref name="force"/> is false.</exception>
    [Alias("Delete")]
    Task<AccountSummary> DeleteAsync(bool force, string actor);
}

/// <summary>Connects new accounts and reconnects existing ones; stateless, activated on every silo.</summary>
[Alias("accounts.IAccountConnectorGrain")]
public interface IAccountConnectorGrain : IGrainWithIntegerKey
{
    /// <exception cref="AccountValidationException">A field is missing, too long or does not match the app's rule.</exception>
    /// <exception cref="KeyVerificationFailedException">The app refused the keys when they were tried.</exception>
    [Alias("ConnectWithKeys")]
    Task<AccountSummary> ConnectWithKeysAsync(KeyConnectRequest request);

    /// <exception cref="AccountValidationException">A field is missing, too long or does not match the app's rule.</exception>
    /// <exception cref="KeyVerificationFailedException">The app refused the keys when they were tried.</exception>
    [Alias("ReconnectWithKeys")]
    Task<AccountSummary> ReconnectWithKeysAsync(KeyReconnectRequest request);

    /// <summary>Begins an OAuth authorization: the URL to send the person to, with state and PKCE.</summary>
    /// <exception cref="AccountValidationException">Unknown app, a key-based app, or malformed input.</exception>
    /// <exception cref="OAuthClientNotConfiguredException">This deployment has no OAuth client for the app.</exception>
    [Alias("StartOAuth")]
    Task<OAuthStarted> StartOAuthAsync(OAuthStartRequest request);
}

/// <summary>Queries over the account index (never activates the accounts); activated on every silo.</summary>
[Alias("accounts.IAccountDirectoryGrain")]
public interface IAccountDirectoryGrain : IGrainWithIntegerKey
{
    /// <exception cref="AccountValidationException">The query or its cursor is malformed.</exception>
    [Alias("List")]
    Task<AccountPage> ListAsync(AccountQuery query);

    /// <summary>The newest audit events of one account, newest first.</summary>
    [Alias("GetAudit")]
    Task<IReadOnlyList<AuditEvent>> GetAuditAsync(string accountId, int limit);
}

/// <summary>
/// One OAuth authorization in progress (key: the <c>state</c> value, 256 random bits). Single use, expires after ten
/// minutes, and survives a silo restart.
/// </summary>
[Alias("accounts.IOAuthFlowGrain")]
public interface IOAuthFlowGrain : IGrainWithStringKey
{
    /// <exception cref="OAuthFlowException">Unknown, expired or replayed state; an error from the app; a failed code exchange.</exception>
    [Alias("Complete")]
    Task<OAuthCompleted> CompleteAsync(OAuthCallback callback);

    [Alias("GetView")]
    Task<OAuthFlowView> GetViewAsync();
}

/// <summary>Operator maintenance over every account; long-running, so call it with a generous timeout.</summary>
[Alias("accounts.IAccountMaintenanceGrain")]
public interface IAccountMaintenanceGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Re-wraps every account's data key, and every stored OAuth client secret's, under the active master key, so older
    /// keys can be retired. A stored client that fails is reported as <c>oauth-client:&lt;slug&gt;</c>.
    /// </summary>
    [Alias("RewrapAll")]
    Task<MaintenanceReport> RewrapAllAsync(string actor);

    /// <summary>Rebuilds the account index from stored account state, without activating any account.</summary>
    [Alias("RebuildIndex")]
    Task<MaintenanceReport> RebuildIndexAsync(string actor);
}

[GenerateSerializer, Alias("accounts.maintenance-report"), Immutable]
public sealed record MaintenanceReport(
    [property: Id(0)] int Done,
    [property: Id(1)] int Skipped,
    [property: Id(2)] IReadOnlyList<string> Failed);

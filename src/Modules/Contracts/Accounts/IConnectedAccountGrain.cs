using Accounts.Orleans.Contracts.Access;
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
    [Alias("Get"), AlwaysInterleave, RequiresScope(Scopes.AccountsRead)]
    Task<AccountSummary> GetAsync();

    /// <summary>The credentials a workflow step uses; a warm read with a valid token does no I/O.</summary>
    /// <exception cref="AccountNotFoundException">No account has this id.</exception>
    /// <exception cref="AccountAccessDeniedException">The account belongs to another workspace.</exception>
    /// <exception cref="StepNotLinkedException">The step is not linked to the account.</exception>
    /// <exception cref="AccountNeedsReconnectException">The app refused the account's credentials.</exception>
    /// <exception cref="AccountDeletedException">The account was deleted.</exception>
    /// <exception cref="CredentialsUnavailableException">The service cannot open stored credentials (its master key is missing or wrong).</exception>
    [Alias("GetCredentials"), RequiresScope(Scopes.CredentialsRead)]
    Task<CredentialBundle> GetCredentialsAsync(CredentialRequest request);

    /// <exception cref="AccountAccessDeniedException">The account belongs to another workspace.</exception>
    [Alias("Link"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> LinkAsync(string workspaceId, WorkflowStep step);

    [Alias("Unlink"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> UnlinkAsync(string workspaceId, WorkflowStep step);

    /// <exception cref="AccountValidationException">The nickname is empty or too long.</exception>
    [Alias("Rename"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> RenameAsync(string nickname, string actor);

    /// <summary>Operator "refresh now": refreshes an OAuth token even when it is not due.</summary>
    [Alias("Refresh"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> RefreshAsync(string actor);

    /// <summary>Revokes where the app supports it, erases the secrets and keeps a secret-free tombstone.</summary>
    /// <exception cref="AccountStillLinkedException">Workflows still use the account and <paramref name="force"/> is false.</exception>
    [Alias("Delete"), RequiresScope(Scopes.AccountsWrite)]
    Task<AccountSummary> DeleteAsync(bool force, string actor);
}

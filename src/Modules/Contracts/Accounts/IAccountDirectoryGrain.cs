using Accounts.Orleans.Contracts.Access;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>Queries over the account index (never activates the accounts); activated on every silo.</summary>
[Alias("accounts.IAccountDirectoryGrain")]
public interface IAccountDirectoryGrain : IGrainWithIntegerKey
{
    /// <exception cref="AccountValidationException">The query or its cursor is malformed.</exception>
    [Alias("List"), RequiresScope(Scopes.AccountsRead)]
    Task<AccountPage> ListAsync(AccountQuery query);

    /// <summary>The newest audit events of one account, newest first.</summary>
    [Alias("GetAudit"), RequiresScope(Scopes.AccountsRead)]
    Task<IReadOnlyList<AuditEvent>> GetAuditAsync(string accountId, int limit);
}

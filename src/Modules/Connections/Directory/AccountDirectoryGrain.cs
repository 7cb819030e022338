using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Contracts.Access;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.Directory;

/// <summary>Reads the account index and the audit trail; activates no account. Stateless; runs on every silo.</summary>
[GrainType("accounts.directory")]
[StatelessWorker]
public sealed class AccountDirectoryGrain(AccountIndex index, AuditTrail audit) : Grain, IAccountDirectoryGrain
{
    Task<AccountPage> IAccountDirectoryGrain.ListAsync(AccountQuery query)
        => Tenancy.TryConfine(query.WorkspaceId, out var workspace)
            ? index.ListAsync(query with { WorkspaceId = workspace }, CancellationToken.None)
            : Task.FromResult(new AccountPage([], null));

    async Task<IReadOnlyList<AuditEvent>> IAccountDirectoryGrain.GetAuditAsync(string accountId, int limit)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AccountRules.IsIdentifier(accountId)) errors["accountId"] = [AccountRules.IdentifierRule];
        if (limit is < 1 or > AuditTrail.MaxReadLimit) errors["limit"] = [$"must be between 1 and {AuditTrail.MaxReadLimit}"];
        if (errors.Count > 0) throw new AccountValidationException(errors);
        // A key of one workspace reads only its own accounts' audit; the account answers whether it may see it.
        if (Principal.Current is { WorkspaceId: not null }) await GrainFactory.GetGrain<IConnectedAccountGrain>(accountId).GetAsync();
        // Events recorded on this silo a moment ago are still queued; store them so the answer includes them.
        await audit.FlushAsync(CancellationToken.None);
        return await audit.ReadAsync(accountId, limit, CancellationToken.None);
    }
}

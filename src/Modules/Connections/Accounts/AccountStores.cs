using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>Opens the <see cref="AccountStore"/> of an account's activation with the services every store shares.</summary>
public sealed class AccountStores(CredentialSeal seal, AccountIndex index, AuditTrail audit, Webhooks.EventOutbox outbox, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<AccountStore> logger)
{
    public AccountStore Open(string id, IPersistentState<ConnectedAccountState> state, AccountStore.IActivation activation)
        => new(id, state, seal, index, audit, outbox, time, logger, activation);
}

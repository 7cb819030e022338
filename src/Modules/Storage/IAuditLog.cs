using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Storage;

/// <summary>
/// The one audit trail of the service. Connections stores it; the catalog and the key registry record their actions
/// through this, so an operator reads every module's changes in one place.
/// </summary>
/// <remarks>
/// An event's <see cref="AuditEvent.AccountId"/> is its subject: an account id, or a prefixed name for what is not an
/// account (<c>app:slack</c>, <c>app-request:…</c>, <c>oauth-client:slack</c>, <c>apikey:billing</c>, <c>maintenance</c>).
/// </remarks>
public interface IAuditLog
{
    /// <summary>Queues an event; it is stored within about a second, and kept queued while storage refuses it.</summary>
    void Record(AuditEvent auditEvent);
}

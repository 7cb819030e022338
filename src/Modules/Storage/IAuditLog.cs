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

/// <summary>Actions the trail folds: their repeats within one flush are stored as one row with a count.</summary>
public static class AuditActions
{
    /// <summary>A workflow step read an account's credentials.</summary>
    public const string CredentialsRead = "credentials_read";

    /// <summary>An API key called the REST API (the route's pattern and the status, never a value from the request).</summary>
    public const string ApiCall = "api_call";

    /// <summary>A workflow step called the app through the proxy (method, path shape and status; never a body).</summary>
    public const string Proxied = "proxied";
}

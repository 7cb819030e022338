namespace Accounts.Orleans.Contracts.Storage;

/// <summary>
/// The service's storage could not read or write what this call needed (the database is restarting, unreachable,
/// out of connections or locked). Transient: the same call may succeed in a few seconds. It never carries the driver's
/// exception, a connection string or a secret; the silo logs the cause.
/// </summary>
/// <remarks>
/// An <see cref="OrleansException"/> so that Orleans passes it through its storage layer unwrapped, and a grain that
/// cannot load its state fails its activation with exactly this type.
/// </remarks>
[GenerateSerializer, Alias("accounts.error.storage-unavailable")]
public sealed class StorageUnavailableException : OrleansException
{
    public const string DefaultMessage = "The service's storage is unavailable right now; try again in a few seconds.";

    public StorageUnavailableException() : base(DefaultMessage) { }

    public StorageUnavailableException(string message) : base(message) { }
}

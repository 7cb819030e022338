namespace Accounts.Orleans.Contracts.Storage;

/// <summary>Names of the grain storage providers the Host registers; grains name them in <c>[PersistentState]</c>.</summary>
public static class StorageNames
{
    /// <summary>Durable state of every grain of the service (SQLite or PostgreSQL, per the storage profile).</summary>
    public const string Grains = "accounts";
}

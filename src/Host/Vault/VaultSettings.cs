using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;

namespace Accounts.Orleans.Host.Vault;

/// <summary><c>Accounts:Vault</c>: where the master key ring lives (always outside the database).</summary>
public sealed record VaultSettings(string KeyRingFile)
{
    public const string KeyRingFileKey = "Accounts:Vault:KeyRingFile";
    public const string DefaultFileName = "master-keys.json";

    /// <exception cref="StartupException">PostgreSQL without a key ring path: every silo must use the same ring.</exception>
    public static VaultSettings Read(IConfiguration configuration, StorageOptions storage, string workingDirectory)
    {
        if (configuration[KeyRingFileKey] is { Length: > 0 } path) return new VaultSettings(Path.GetFullPath(path, workingDirectory));
        if (storage.Engine == StorageEngine.Sqlite) return new VaultSettings(Path.Combine(storage.DataDirectory!, DefaultFileName));
        throw new StartupException($"{KeyRingFileKey} is required with Postgres storage: every silo must open credentials with the same master key ring (a file on a shared secret mount).");
    }
}

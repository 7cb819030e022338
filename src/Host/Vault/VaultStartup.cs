using System.Globalization;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Host.Vault;

/// <summary>
/// Loads the master key ring before the silo starts. A missing ring is generated only while the store holds no
/// accounts and no stored OAuth clients; with either present it stops the Host, because a new key could never open
/// them (fail closed).
/// </summary>
public sealed partial class VaultStartup(VaultSettings settings, KeyRingHolder holder, AccountsDatabase database, TimeProvider time, ILogger<VaultStartup> logger)
{
    /// <exception cref="StartupException">The ring is unreadable, or missing while accounts exist.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var path = settings.KeyRingFile;
        if (!File.Exists(path))
        {
            var accounts = await CountAsync("SELECT COUNT(*) FROM accounts_account_index WHERE deleted = 0;", cancellationToken);
            var clients = await CountAsync($"SELECT COUNT(*) FROM accounts_grain_state WHERE grain_type = '{OAuthClientRegistryGrain.StateName}' AND payload IS NOT NULL;", cancellationToken);
            if (accounts > 0 || clients > 0)
                throw new StartupException($"The master key ring '{path}' ({VaultSettings.KeyRingFileKey}) is missing, but the store holds {accounts} account(s){(clients > 0 ? " and stored OAuth client secrets" : "")} sealed with it. Restore the file; a new key could not open them.");
            var key = MasterKey.Generate(time);
            if (KeyRingFile.TryCreate(path, new KeyRing([key], key.Id))) LogGenerated(logger, path);
        }
        try
        {
            holder.Replace(KeyRingFile.Read(path));
        }
        catch (KeyRingFileException e)
        {
            throw new StartupException($"{VaultSettings.KeyRingFileKey}: {e.Message}", e);
        }
        LogLoaded(logger, holder.Current.Active.Id, holder.Current.Keys.Count);
    }

    private async Task<long> CountAsync(string sql, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GENERATED A NEW MASTER KEY RING at {Path}. Back this file up and keep it secret: without it no stored credential can be opened. In production, provide your own ring through Accounts:Vault:KeyRingFile.")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Master key ring loaded: active key {KeyId}, {Count} key(s)")]
    private static partial void LogLoaded(ILogger logger, string keyId, int count);
}

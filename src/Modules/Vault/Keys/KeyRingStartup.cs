using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>
/// Loads the master key ring before the silo starts. A missing ring is generated only while no module holds anything
/// sealed (<see cref="ISealedSecrets"/>); otherwise it stops the service, because a new key could never open that data
/// (fail closed). A ring that is not the one the store was sealed with (<see cref="KeyChecks"/>) stops it too.
/// </summary>
internal sealed partial class KeyRingStartup(IOptions<VaultOptions> options, KeyRingHolder holder, IEnumerable<ISealedSecrets> sealedSecrets, KeyChecks checks, TimeProvider time, ILogger<KeyRingStartup> logger)
{
    /// <exception cref="VaultStartupException">The ring is unreadable, missing while sealed data exists, or not this store's.</exception>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        var path = options.Value.KeyRingFile!;
        if (!File.Exists(path))
        {
            if (await DescribeSealedAsync(cancellationToken) is { } sealedData)
                throw new VaultStartupException($"The master key ring '{path}' ({VaultOptions.KeyRingFileKey}) is missing, but the store holds {sealedData} sealed with it. Restore the file; a new key could not open them.");
            var key = MasterKey.Generate(time);
            if (KeyRingFile.TryCreate(path, new KeyRing([key], key.Id))) LogGenerated(logger, path);
        }
        KeyRing ring;
        try
        {
            ring = KeyRingFile.Read(path);
        }
        catch (KeyRingFileException e)
        {
            throw new VaultStartupException($"{VaultOptions.KeyRingFileKey}: {e.Message}", e);
        }
        var remembered = await checks.ReadAsync(cancellationToken);
        if (KeyChecks.Mismatch(ring, remembered) is { } mismatch)
        {
            // Keys the store remembers guard only what is sealed with them: with nothing sealed any ring may take over.
            if (await DescribeSealedAsync(cancellationToken) is { } sealedData)
                throw new VaultStartupException($"The master key ring '{path}' ({VaultOptions.KeyRingFileKey}) is not the ring this store's {sealedData} were sealed with: {mismatch}. Start every silo with the store's own ring.");
            await checks.ForgetAsync(cancellationToken);
            remembered = new Dictionary<string, string>();
        }
        await checks.RememberAsync(ring, remembered, cancellationToken);
        holder.Replace(ring);
        LogLoaded(logger, holder.Current.Active.Id, holder.Current.Keys.Count);
    }

    private async Task<string?> DescribeSealedAsync(CancellationToken cancellationToken)
    {
        var found = new List<string>();
        foreach (var secrets in sealedSecrets)
        {
            if (await secrets.DescribeAsync(cancellationToken) is { } description) found.Add(description);
        }
        return found.Count > 0 ? string.Join(" and ", found) : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "GENERATED A NEW MASTER KEY RING at {Path}. Back this file up and keep it secret: without it no stored credential can be opened. In production, provide your own ring through Accounts:Vault:KeyRingFile.")]
    private static partial void LogGenerated(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Master key ring loaded: active key {KeyId}, {Count} key(s)")]
    private static partial void LogLoaded(ILogger logger, string keyId, int count);
}

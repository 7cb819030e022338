using Accounts.Orleans.Storage;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Host.Vault;

public static class VaultHosting
{
    /// <summary>The master key ring (loaded at start, before any grain can seal or open credentials).</summary>
    public static void AddAccountsVault(this WebApplicationBuilder builder, StorageOptions storage)
    {
        builder.Services.AddSingleton(VaultSettings.Read(builder.Configuration, storage, Environment.CurrentDirectory));
        builder.Services.AddSingleton<KeyRingHolder>();
        builder.Services.AddSingleton<IKeyRingSource>(sp => sp.GetRequiredService<KeyRingHolder>());
        builder.Services.AddSingleton<VaultStartup>();
    }
}

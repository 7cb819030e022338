using Accounts.Orleans.Storage;
using Accounts.Orleans.Vault.Envelopes;
using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Vault;

public static class VaultModule
{
    /// <summary>
    /// Envelope encryption under a master key ring read from a file (<c>Accounts:Vault</c>), checked against the keys the
    /// database remembers (it needs <see cref="StorageModule.AddAccountsDatabase"/>). Until
    /// <see cref="LoadKeyRingAsync"/> has run, every seal and open fails closed.
    /// </summary>
    /// <param name="defaultKeyRingFile">Where the ring lives when configuration does not say; null to require the setting.</param>
    public static IServiceCollection AddVault(this IServiceCollection services, IConfiguration configuration, string? defaultKeyRingFile)
    {
        services.AddOptions<VaultOptions>().Bind(configuration.GetSection(VaultOptions.Section))
            .PostConfigure(o => o.KeyRingFile = string.IsNullOrWhiteSpace(o.KeyRingFile) ? defaultKeyRingFile : Path.GetFullPath(o.KeyRingFile))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<VaultOptions>, VaultOptionsValidator>();
        services.AddSingleton<KeyRingHolder>();
        services.AddSingleton<IKeyRingSource>(sp => sp.GetRequiredService<KeyRingHolder>());
        services.AddSingleton<EnvelopeCipher>();
        services.AddSingleton<ClusterMac>();
        services.AddSingleton<KeyChecks>();
        services.AddSingleton<KeyRingStartup>();
        services.AddSchemaMigrations("vault", typeof(VaultModule).Assembly);
        services.TryAddSingleton(TimeProvider.System);
        return services;
    }

    /// <summary>Loads the key ring, creating one on a store that holds nothing sealed; run it before the silo starts.</summary>
    /// <exception cref="VaultStartupException">The ring is unreadable, or missing while sealed data exists.</exception>
    /// <exception cref="OptionsValidationException"><c>Accounts:Vault</c> is invalid.</exception>
    public static Task LoadKeyRingAsync(this IServiceProvider services, CancellationToken cancellationToken)
        => services.GetRequiredService<KeyRingStartup>().LoadAsync(cancellationToken);
}

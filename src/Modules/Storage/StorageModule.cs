using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Accounts.Orleans.Storage;

public static class StorageModule
{
    /// <summary>The module name under which the Orleans providers' schema is recorded.</summary>
    public const string OrleansMigrations = "orleans";

    /// <summary>The service's own database (chosen by the Host) and the migrator that owns its schema.</summary>
    public static IServiceCollection AddAccountsDatabase(this IServiceCollection services, StorageOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<AccountsDatabase>();
        services.AddSingleton<SchemaMigrator>();
        services.AddSingleton<GrainStateTable>();
        if (options.Engine == StorageEngine.Sqlite) services.AddHostedService<Sqlite.WalCheckpointer>();
        services.AddServiceClock();
        return services;
    }

    /// <summary>Registers a module's embedded schema scripts; modules migrate in the order they register.</summary>
    public static IServiceCollection AddSchemaMigrations(this IServiceCollection services, string module, Assembly assembly)
        => services.AddSingleton(new MigrationSource(module, assembly));
}

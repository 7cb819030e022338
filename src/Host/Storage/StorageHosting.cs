using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Storage;
using Orleans.Configuration;
using Orleans.Storage;

namespace Accounts.Orleans.Host.Storage;

public static class StorageHosting
{
    /// <summary>The storage profile (SQLite or PostgreSQL), its schema migrations and its health check.</summary>
    public static StorageOptions AddAccountsStorage(this WebApplicationBuilder builder)
    {
        var options = StorageSettings.Read(builder.Configuration, Environment.CurrentDirectory);
        builder.Services.AddAccountsDatabase(options);
        builder.Services.AddSchemaMigrations(StorageModule.OrleansMigrations, typeof(StorageModule).Assembly);
        builder.Services.AddHealthChecks().AddCheck<StorageHealthCheck>("storage");
        return options;
    }

    /// <summary>
    /// Grain state in the profile's database, as JSON that names no CLR types. A failure of it reaches callers as
    /// <see cref="StorageUnavailableException"/> (a grain's own queries are typed at the call boundary).
    /// </summary>
    public static ISiloBuilder AddAccountsGrainStorage(this ISiloBuilder silo, StorageOptions storage)
    {
        const string adoNet = StorageNames.Grains + ".adonet";
        silo.AddAdoNetGrainStorage(adoNet, options =>
        {
            options.Invariant = storage.Invariant;
            options.ConnectionString = storage.ConnectionString;
            options.GrainStorageSerializer = new JsonGrainStateSerializer();
        });
        silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Grains, (services, _) => new TypedFaultGrainStorage(
            services.GetRequiredKeyedService<IGrainStorage>(adoNet), services.GetRequiredService<ILogger<StorageFaults>>()));
        // The ADO.NET provider and Orleans' storage bridge (under the storage's type name) each log every failure
        // again, the provider with the driver's exception; the wrapper has logged its cause once already.
        silo.Services.AddLogging(logging => logging
            .AddFilter("Orleans.Storage.AdoNetGrainStorage", LogLevel.Critical)
            .AddFilter(typeof(TypedFaultGrainStorage).FullName, LogLevel.Critical));
        return silo;
    }
}

using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Storage;
using Orleans.Configuration;

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

    /// <summary>Grain state in the profile's database, as JSON that names no CLR types.</summary>
    public static ISiloBuilder AddAccountsGrainStorage(this ISiloBuilder silo, StorageOptions storage)
    {
        silo.AddAdoNetGrainStorage(StorageNames.Grains, options =>
        {
            options.Invariant = storage.Invariant;
            options.ConnectionString = storage.ConnectionString;
            options.GrainStorageSerializer = new JsonGrainStateSerializer();
        });
        return silo;
    }
}

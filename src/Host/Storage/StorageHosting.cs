using Accounts.Orleans.Contracts.Storage;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Storage;

public static class StorageHosting
{
    /// <summary>The storage profile (SQLite or PostgreSQL), its schema migrations and its health check.</summary>
    public static StorageOptions AddAccountsStorage(this WebApplicationBuilder builder)
    {
        var options = StorageOptions.From(builder.Configuration, Environment.CurrentDirectory);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<AccountsDatabase>();
        builder.Services.AddSingleton<SchemaMigrator>();
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

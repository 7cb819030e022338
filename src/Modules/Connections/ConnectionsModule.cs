using System.Net;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.Keys;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Vault.Envelopes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Accounts.Orleans.Connections;

public static class ConnectionsModule
{
    /// <summary>Connected accounts: the account grains, key connect, the account index and the audit trail.</summary>
    public static IServiceCollection AddConnections(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConnectionsOptions>().Bind(configuration.GetSection(ConnectionsOptions.Section));
        services.AddSchemaMigrations("connections", typeof(ConnectionsModule).Assembly);
        services.AddSingleton<AccountIndex>();
        services.AddSingleton<AuditTrail>();
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        services.AddSingleton<EnvelopeCipher>();
        services.AddSingleton<KeyVerifier>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddHttpClient(KeyVerifier.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A credential must never follow a redirect to a host the catalog did not name.
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        return services;
    }
}

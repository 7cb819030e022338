using Accounts.Orleans.Contracts.Access;
using Orleans.Configuration;

namespace Accounts.Orleans.Client;

public static class ClusterClientExtensions
{
    /// <summary>
    /// Joins the cluster the settings name as an Orleans client, over mutual TLS with the certificate they name: through
    /// the gateways its silos list in PostgreSQL membership, or through the listed gateways (this machine's gateway port
    /// by default, the embedded Host).
    /// </summary>
    /// <exception cref="ClusterSettingsException">The certificate files are missing or not the cluster's; the message names the key.</exception>
    public static IClientBuilder UseAccountsCluster(this IClientBuilder client, ClusterSettings settings)
        => client.UseAccountsCluster(settings, ClusterTls.Load(settings.Tls, ClusterRole.Client),
            (settings.ApiKey ?? throw new ClusterSettingsException("These settings were read for a silo, which has no API key.")).Load());

    /// <summary>The same, with a certificate and a key already loaded.</summary>
    public static IClientBuilder UseAccountsCluster(this IClientBuilder client, ClusterSettings settings, ClusterTls tls, string apiKey)
    {
        client.UseClusterTls(tls);
        client.UseApiKey(apiKey);
        client.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        if (settings.MembershipConnectionString is { } connection)
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connection;
            });
        }
        else client.UseStaticClustering([.. settings.Gateways]);
        return client;
    }

    /// <summary>Opens every gateway connection over mutual TLS: the gateway must show a silo certificate of the cluster's CA.</summary>
    public static IClientBuilder UseClusterTls(this IClientBuilder client, ClusterTls tls)
    {
        var options = tls.Outbound();
        return client.Configure<ClientConnectionOptions>(o => o.ConfigureConnection(connection => connection.UseClientTls(options)));
    }

    /// <summary>Presents <paramref name="apiKey"/> on every call this client makes; the silos take the caller's identity from it.</summary>
    public static IClientBuilder UseApiKey(this IClientBuilder client, string apiKey)
        => client.AddOutgoingGrainCallFilter(context =>
        {
            RequestContext.Set(ApiKeyContext.Key, apiKey);
            return context.Invoke();
        });
}

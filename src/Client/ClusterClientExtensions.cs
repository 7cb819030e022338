using Orleans.Configuration;

namespace Accounts.Orleans.Client;

public static class ClusterClientExtensions
{
    /// <summary>
    /// Joins the cluster the settings name as an Orleans client: through the gateways its silos list in PostgreSQL
    /// membership, or through the listed gateways (this machine's gateway port by default, the embedded Host).
    /// </summary>
    public static IClientBuilder UseAccountsCluster(this IClientBuilder client, ClusterSettings settings)
    {
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
}

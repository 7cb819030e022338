using Accounts.Orleans.Client;
using Accounts.Orleans.Host.Storage;
using Accounts.Orleans.Storage;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Cluster;

public static class ClusterHosting
{
    /// <summary>
    /// The Orleans silo of this process. Embedded: localhost clustering, one silo. PostgreSQL: membership in the
    /// shared database, so any number of Hosts with the same cluster id form one cluster.
    /// </summary>
    public static void AddAccountsSilo(this WebApplicationBuilder builder, StorageOptions storage)
    {
        ClusterSettings cluster;
        try
        {
            cluster = ClusterSettings.Read(builder.Configuration);
        }
        catch (ClusterSettingsException e)
        {
            throw new Hosting.StartupException(e.Message, e);
        }
        builder.Services.AddSingleton(cluster);
        builder.UseOrleans(silo =>
        {
            if (storage.Engine == StorageEngine.Postgres) silo.UseSharedMembership(storage, cluster);
            else silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.AddAccountsGrainStorage(storage);
            silo.AddIncomingGrainCallFilter<GrainCallBoundary>();
            silo.AddActivityPropagation();
        });
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");
    }

    private static void UseSharedMembership(this ISiloBuilder silo, StorageOptions storage, ClusterSettings cluster)
    {
        silo.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = cluster.ClusterId;
            o.ServiceId = cluster.ServiceId;
        });
        silo.UseAdoNetClustering(o =>
        {
            o.Invariant = storage.Invariant;
            o.ConnectionString = storage.ConnectionString;
        });
        if (cluster.AdvertisedAddress is { } address)
            silo.ConfigureEndpoints(address, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        else
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            // A dead silo is declared within ~10 s (3 missed 2 s probes) so the catalog and accounts it hosted
            // come back on a survivor well within half a minute; a 2-silo cluster needs only one vote.
            o.ProbeTimeout = TimeSpan.FromSeconds(2);
            o.NumMissedProbesLimit = 3;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(10);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(30);
        });
    }
}

using Accounts.Orleans.Access;
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
        ClusterTls tls;
        try
        {
            cluster = ClusterSettings.Read(builder.Configuration, ClusterRole.Silo);
            if (storage.DataDirectory is { } data && cluster.Tls == ClusterTlsFiles.Embedded(data, ClusterTlsFiles.EmbeddedSilo))
                EmbeddedCertificates.Ensure(data, TimeProvider.System);
            tls = ClusterTls.Load(cluster.Tls, ClusterRole.Silo);
        }
        catch (ClusterSettingsException e)
        {
            throw new Hosting.StartupException(e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new Hosting.StartupException($"Cannot create the cluster's certificates in {storage.DataDirectory}: {e.Message}", e);
        }
        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton<CallerChecks>();
        builder.UseOrleans(silo =>
        {
            silo.UseClusterTls(tls);
            if (storage.Engine == StorageEngine.Postgres) silo.UseSharedMembership(storage, cluster);
            else silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
            silo.AddAccountsGrainStorage(storage);
            silo.AddIncomingGrainCallFilter<GrainCallBoundary>();
            silo.AddSystemPrincipals();
            silo.AddActivityPropagation();
        });
        builder.Services.AddHealthChecks().AddCheck<SiloHealthCheck>("silo");
    }

    /// <summary>
    /// Mutual TLS on every connection: the silo port admits only silo certificates of the cluster's CA, the gateway
    /// admits silos and clients, and a silo calling another expects a silo certificate back.
    /// </summary>
    private static void UseClusterTls(this ISiloBuilder silo, ClusterTls tls)
    {
        var silos = tls.Inbound(ClusterRole.Silo);
        var gateway = tls.Inbound(ClusterRole.Silo, ClusterRole.Client);
        var outbound = tls.Outbound();
        silo.Configure<SiloConnectionOptions>(o =>
        {
            o.ConfigureSiloInboundConnection(connection => connection.UseServerTls(silos));
            o.ConfigureGatewayInboundConnection(connection => connection.UseServerTls(gateway));
            o.ConfigureSiloOutboundConnection(connection => connection.UseClientTls(outbound));
        });
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

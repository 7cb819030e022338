using System.Reflection;
using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Cluster;
using Accounts.Orleans.Storage;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// Answers from the silo the caller reached, so the console's heartbeat needs no particular silo to be alive; the
/// membership view comes from the management grain.
/// </summary>
[StatelessWorker, GrainType("cluster.status")]
public sealed class ClusterStatusGrain(StorageOptions storage, ClusterSettings cluster, ILocalSiloDetails silo, IGrainFactory grains)
    : Grain, IClusterStatusGrain
{
    private static readonly string Version =
        typeof(ClusterStatusGrain).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    async Task<ClusterStatus> IClusterStatusGrain.GetStatusAsync()
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: true);
        return new ClusterStatus
        {
            ClusterId = cluster.ClusterId,
            ServiceId = cluster.ServiceId,
            StorageProfile = storage.Engine.ToString(),
            StorageLocation = storage.Describe(),
            Version = Version,
            AnsweredBy = silo.SiloAddress.ToString(),
            Silos = [.. hosts.OrderBy(h => h.SiloName, StringComparer.Ordinal).Select(h => new SiloView(
                h.SiloAddress.ToString(), h.SiloName, h.Status.ToString(),
                new DateTimeOffset(h.StartTime, TimeSpan.Zero), h.IAmAliveTime == default ? null : new DateTimeOffset(h.IAmAliveTime, TimeSpan.Zero)))],
        };
    }
}

namespace Accounts.Orleans.Contracts.Cluster;

/// <summary>What an operator needs to know about the cluster: the silos that are up, the storage profile, the version.</summary>
[Alias("cluster.IClusterStatusGrain")]
public interface IClusterStatusGrain : IGrainWithIntegerKey
{
    [Alias("GetStatus")]
    Task<ClusterStatus> GetStatusAsync();
}

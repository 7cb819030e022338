namespace Accounts.Orleans.Contracts.Cluster;

[GenerateSerializer, Alias("cluster.silo"), Immutable]
public sealed record SiloView(
    [property: Id(0)] string Address,
    [property: Id(1)] string Name,
    [property: Id(2)] string Status,
    [property: Id(3)] DateTimeOffset StartedAt,
    [property: Id(4)] DateTimeOffset? LastHeartbeat);

namespace Accounts.Orleans.Contracts.Cluster;

[GenerateSerializer, Alias("cluster.status"), Immutable]
public sealed record ClusterStatus
{
    [Id(0)] public required string ClusterId { get; init; }
    [Id(1)] public required string ServiceId { get; init; }
    /// <summary>"Sqlite" (embedded, one silo) or "Postgres" (shared membership and storage).</summary>
    [Id(2)] public required string StorageProfile { get; init; }
    /// <summary>Where the data lives, without credentials: a file path or host/database.</summary>
    [Id(3)] public required string StorageLocation { get; init; }
    [Id(4)] public required string Version { get; init; }
    [Id(5)] public required IReadOnlyList<SiloView> Silos { get; init; }
    /// <summary>The silo that answered this call.</summary>
    [Id(6)] public required string AnsweredBy { get; init; }
}

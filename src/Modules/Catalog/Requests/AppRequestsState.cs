namespace Accounts.Orleans.Catalog.Requests;

/// <summary>
/// Where requests were kept before they had a table (one blob rewritten on every vote). Read once at activation, moved
/// into <see cref="AppRequestTable"/>, then cleared.
/// </summary>
[GenerateSerializer, Alias("catalog.app-requests-state")]
public sealed class AppRequestsState
{
    [Id(0)] public Dictionary<string, AppRequestRecord> Requests { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Alias("catalog.app-request-record")]
public sealed class AppRequestRecord
{
    [Id(0)] public required string Id { get; set; }
    [Id(1)] public required string Name { get; set; }
    [Id(2)] public string? Url { get; set; }
    [Id(3)] public AppRequestStatus Status { get; set; }
    /// <summary>Normalized requester identities; who voted is kept, but never shown on the public API.</summary>
    [Id(4)] public List<string> Voters { get; set; } = [];
    [Id(5)] public List<string> Reasons { get; set; } = [];
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(8)] public string? ShippedSlug { get; set; }
    [Id(9)] public List<AppRequestTriage> History { get; set; } = [];

    public AppRequest ToContract() => new()
    {
        Id = Id,
        Name = Name,
        Url = Url,
        Status = Status,
        Votes = Voters.Count,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        ShippedSlug = ShippedSlug,
        Reasons = Reasons.ToArray(),
        History = History.ToArray(),
    };
}

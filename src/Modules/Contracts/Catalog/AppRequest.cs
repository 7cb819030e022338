using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Catalog;

[JsonConverter(typeof(JsonStringEnumConverter<AppRequestStatus>))]
[GenerateSerializer, Alias("catalog.app-request-status")]
public enum AppRequestStatus
{
    [JsonStringEnumMemberName("open")] Open = 0,
    [JsonStringEnumMemberName("planned")] Planned = 1,
    [JsonStringEnumMemberName("shipped")] Shipped = 2,
    [JsonStringEnumMemberName("declined")] Declined = 3,
}

/// <summary>What someone asks for when an app is missing from the catalog.</summary>
[GenerateSerializer, Alias("catalog.app-request-submission"), Immutable]
public sealed record AppRequestSubmission(
    [property: Id(0)] string Name,
    [property: Id(1)] string? Url,
    [property: Id(2)] string? Reason,
    [property: Id(3)] string RequestedBy);

/// <summary>A request for a new app, with every vote folded into it.</summary>
[GenerateSerializer, Alias("catalog.app-request"), Immutable]
public sealed record AppRequest
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public string? Url { get; init; }
    [Id(3)] public required AppRequestStatus Status { get; init; }
    [Id(4)] public required int Votes { get; init; }
    [Id(5)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(6)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>The catalog app that shipped this request.</summary>
    [Id(7)] public string? ShippedSlug { get; init; }
    [Id(8)] public IReadOnlyList<string> Reasons { get; init; } = [];
    [Id(9)] public IReadOnlyList<AppRequestTriage> History { get; init; } = [];
}

/// <summary>One operator decision on a request, kept as its audit trail.</summary>
[GenerateSerializer, Alias("catalog.app-request-triage"), Immutable]
public sealed record AppRequestTriage(
    [property: Id(0)] AppRequestStatus From,
    [property: Id(1)] AppRequestStatus To,
    [property: Id(2)] string OperatorId,
    [property: Id(3)] DateTimeOffset At,
    [property: Id(4)] string? Note,
    [property: Id(5)] string? ShippedSlug);

/// <summary>A page of requests: most votes first, oldest first among equals.</summary>
[GenerateSerializer, Alias("catalog.app-request-query"), Immutable]
public sealed record AppRequestQuery
{
    /// <summary>Only requests in this status; all when null.</summary>
    [Id(0)] public AppRequestStatus? Status { get; init; }
    /// <summary>Matches anywhere in the name, ignoring case, spaces and punctuation.</summary>
    [Id(1)] public string? Text { get; init; }
    [Id(2)] public int Limit { get; init; } = DefaultLimit;
    /// <summary>The <see cref="AppRequestPage.Next"/> of the previous page.</summary>
    [Id(3)] public string? Cursor { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;
}

[GenerateSerializer, Alias("catalog.app-request-page"), Immutable]
public sealed record AppRequestPage(
    [property: Id(0)] IReadOnlyList<AppRequest> Items,
    [property: Id(1)] string? Next);

[GenerateSerializer, Alias("catalog.app-request-outcome")]
public enum AppRequestOutcomeKind
{
    /// <summary>A new request was opened.</summary>
    Created = 0,
    /// <summary>The submission matched an existing request and added a vote.</summary>
    Voted = 1,
    /// <summary>The same person already asked for this app; nothing changed.</summary>
    AlreadyVoted = 2,
}

[GenerateSerializer, Alias("catalog.app-request-outcome-result"), Immutable]
public sealed record AppRequestOutcome(
    [property: Id(0)] AppRequestOutcomeKind Kind,
    [property: Id(1)] AppRequest Request);

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>A page of the app list. The cursor is opaque to callers.</summary>
[GenerateSerializer, Alias("catalog.app-query"), Immutable]
public sealed record AppQuery
{
    [Id(0)] public string? Text { get; init; }
    [Id(1)] public AuthType? AuthType { get; init; }
    [Id(2)] public string? Category { get; init; }
    [Id(3)] public int Limit { get; init; } = DefaultLimit;
    [Id(4)] public string? Cursor { get; init; }
    /// <summary>
    /// A revision an operator's change returned (<see cref="AppChange"/>): the answer reflects at least that catalog,
    /// even if the reader's copy was fresh a moment ago. Zero takes the reader's copy as it is.
    /// </summary>
    [Id(5)] public long AtLeastRevision { get; init; }

    public const int DefaultLimit = 50;
    public const int MaxLimit = 1000;
}

[GenerateSerializer, Alias("catalog.app-page"), Immutable]
public sealed record AppPage(
    [property: Id(0)] IReadOnlyList<AppDefinition> Items,
    [property: Id(1)] string? Next);

/// <summary>The whole effective catalog at one revision; handed to per-silo readers.</summary>
[GenerateSerializer, Alias("catalog.snapshot"), Immutable]
public sealed record CatalogSnapshot(
    [property: Id(0)] long Revision,
    [property: Id(1)] IReadOnlyList<AppDefinition> Apps);

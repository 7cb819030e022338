namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// What an operator's change to the catalog saved, and the catalog revision it made: pass the revision as
/// <see cref="AppQuery.AtLeastRevision"/> and the list shows the change, however recently the reader last refreshed.
/// </summary>
[GenerateSerializer, Alias("catalog.app-change"), Immutable]
public sealed record AppChange(
    [property: Id(0)] AppDefinition App,
    [property: Id(1)] long Revision);

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>What operators changed through the catalog grain; shipped apps are never copied in here.</summary>
[GenerateSerializer, Alias("catalog.apps-state")]
public sealed class CatalogAppsState
{
    /// <summary>Bumped on every change so per-silo readers know to fetch a new snapshot.</summary>
    [Id(0)] public long Revision { get; set; }
    [Id(1)] public Dictionary<string, AppDefinition> Upserts { get; set; } = new(StringComparer.Ordinal);
    /// <summary>Operator decisions to disable (true) or re-enable (false) an app, whatever its definition says.</summary>
    [Id(2)] public Dictionary<string, bool> Disabled { get; set; } = new(StringComparer.Ordinal);
}

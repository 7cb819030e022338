namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>Per-silo cached reads of the catalog; always activated locally.</summary>
[Alias("catalog.IAppCatalogReaderGrain")]
public interface IAppCatalogReaderGrain : IGrainWithIntegerKey
{
    /// <exception cref="CatalogValidationException">The query or its cursor is malformed.</exception>
    [Alias("ListApps")]
    Task<AppPage> ListAppsAsync(AppQuery query);

    /// <summary>The app with this slug or alias, disabled ones included; null when none.</summary>
    [Alias("GetApp")]
    Task<AppDefinition?> GetAppAsync(string slugOrAlias);
}

using Accounts.Orleans.Catalog.Apps;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Accounts.Orleans.Catalog;

public static class CatalogModule
{
    /// <summary>The catalog of apps and app requests: options, the shipped catalog and metrics; its grains come with the assembly.</summary>
    public static IServiceCollection AddAppCatalog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CatalogOptions>().Bind(configuration.GetSection(CatalogOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CatalogOptions>, CatalogOptionsValidator>();
        services.AddSingleton<ShippedCatalog>();
        services.AddSingleton<CatalogMetrics>();
        services.AddSingleton<Requests.AppRequestTable>();
        services.AddSchemaMigrations("catalog", typeof(CatalogModule).Assembly);
        services.AddMetrics();
        services.AddServiceClock();
        return services;
    }
}

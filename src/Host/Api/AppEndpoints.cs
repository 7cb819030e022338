using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Host.Api;

/// <summary><c>/api/apps</c>: the catalog of supported apps, served from this silo's cached reader.</summary>
public static class AppEndpoints
{
    private static readonly Dictionary<string, AuthType> AuthTypes = new(StringComparer.Ordinal)
    {
        ["oauth2"] = AuthType.OAuth2,
        ["keys"] = AuthType.Keys,
        ["client_credentials"] = AuthType.ClientCredentials,
        ["jwt_bearer"] = AuthType.JwtBearer,
        ["oauth1"] = AuthType.OAuth1,
    };

    /// <param name="prefix">Where the catalog is served: <c>/api/apps</c> to anyone, <c>/apps</c> under <c>/v1</c>.</param>
    public static void MapAppEndpoints(this IEndpointRouteBuilder routes, string prefix = "/api/apps")
    {
        var apps = routes.MapGroup(prefix).WithTags("Apps");
        apps.MapGet("/", ListAsync);
        apps.MapGet("/{slug}", GetAsync);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var parameters = new QueryParameters(request.Query);
        var query = new AppQuery
        {
            Text = parameters.Text("q"),
            AuthType = parameters.Enum("auth", AuthTypes),
            Category = parameters.Text("category"),
            Limit = parameters.WholeNumber("limit") ?? AppQuery.DefaultLimit,
            Cursor = parameters.Text("cursor"),
        };
        parameters.ThrowIfInvalid();
        var page = await Reader(grains).ListAppsAsync(query);
        var configured = await AppsWithClientAsync(grains);
        return Results.Ok(new AppListView(page.Items.Select(a => AppView.From(a, configured.Contains(a.Slug))).ToArray(), page.Next));
    }

    private static async Task<IResult> GetAsync(string slug, IGrainFactory grains)
    {
        var app = slug.Length <= 64 ? await Reader(grains).GetAppAsync(slug) : null;
        return app is null
            ? throw new AppNotFoundException(slug.Length <= 64 ? slug : slug[..64] + "…")
            : Results.Ok(AppDetailView.From(app, (await AppsWithClientAsync(grains)).Contains(app.Slug)));
    }

    /// <summary>Apps this deployment has an OAuth client for, configured or stored by an operator (no secret leaves the registry).</summary>
    private static async Task<HashSet<string>> AppsWithClientAsync(IGrainFactory grains)
        => (await grains.GetGrain<IOAuthClientRegistryGrain>(0).ListAsync()).Select(c => c.AppSlug).ToHashSet(StringComparer.Ordinal);

    private static IAppCatalogReaderGrain Reader(IGrainFactory grains) => grains.GetGrain<IAppCatalogReaderGrain>(0);
}

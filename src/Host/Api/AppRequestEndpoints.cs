using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Host.Api;

/// <summary><c>/api/app-requests</c>: anyone may ask for an app; duplicates fold into one request with votes.</summary>
public static class AppRequestEndpoints
{
    public const string RateLimitPolicy = "app-requests";
    private const long MaxBodyBytes = 16 * 1024;

    /// <summary>Request statuses by the names the API reads and writes.</summary>
    internal static readonly Dictionary<string, AppRequestStatus> Statuses = new(StringComparer.Ordinal)
    {
        ["open"] = AppRequestStatus.Open,
        ["planned"] = AppRequestStatus.Planned,
        ["shipped"] = AppRequestStatus.Shipped,
        ["declined"] = AppRequestStatus.Declined,
    };

    public static void MapAppRequestEndpoints(this IEndpointRouteBuilder routes)
    {
        var requests = routes.MapGroup("/api/app-requests").WithTags("App requests");
        requests.MapPost("/", SubmitAsync).RequireRateLimiting(RateLimitPolicy);
        requests.MapGet("/", ListAsync);
    }

    private static async Task<IResult> SubmitAsync(HttpRequest request, IGrainFactory grains, CancellationToken cancellationToken)
    {
        var body = await ApiBody.ReadAsync<AppRequestBody>(request, MaxBodyBytes, "{ \"name\", \"url\", \"reason\", \"requestedBy\" }", cancellationToken);
        var outcome = await Catalog(grains).SubmitRequestAsync(
            new AppRequestSubmission(body.Name ?? "", body.Url, body.Reason, body.RequestedBy ?? ""));
        var view = AppRequestView.From(outcome.Request);
        return outcome.Kind == AppRequestOutcomeKind.Created
            ? Results.Json(view, statusCode: StatusCodes.Status201Created)
            : Results.Ok(view);
    }

    private static async Task<IResult> ListAsync(HttpRequest request, IGrainFactory grains)
    {
        var page = await Catalog(grains).ListRequestsAsync(Query(request));
        return Results.Ok(new AppRequestListView(page.Items.Select(AppRequestListItemView.From).ToArray(), page.Next));
    }

    /// <summary><c>?status=&amp;q=&amp;limit=&amp;cursor=</c>, as both lists of requests read it.</summary>
    internal static AppRequestQuery Query(HttpRequest request)
    {
        var parameters = new QueryParameters(request.Query);
        var query = new AppRequestQuery
        {
            Status = parameters.Enum("status", Statuses),
            Text = parameters.Text("q"),
            Limit = parameters.WholeNumber("limit") ?? AppRequestQuery.DefaultLimit,
            Cursor = parameters.Text("cursor"),
        };
        parameters.ThrowIfInvalid();
        return query;
    }

    private static IAppCatalogGrain Catalog(IGrainFactory grains) => grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
}

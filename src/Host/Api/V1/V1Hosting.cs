using System.Security.Claims;
using System.Threading.RateLimiting;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Accounts.Orleans.Host.Api.V1;

/// <summary>
/// <c>/v1</c>, the REST API: every route needs an API key (Bearer), is limited per key, and is audited under the key;
/// described at <c>/openapi/v1.json</c> with a reference page at <c>/reference</c>.
/// </summary>
public static class V1Hosting
{
    public const string RateLimitPolicy = "api-keys";

    public static void AddV1(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, configureOptions: null);
        builder.Services.AddAuthorization();
        builder.Services.AddRateLimiter(limits => limits.AddPolicy(RateLimitPolicy, context =>
        {
            var perMinute = context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value.RequestsPerMinutePerKey;
            // A minute's allowance as a burst, refilled evenly (every second, or one call at a time below 60 a minute):
            // bursts are fine, a sustained flood is not.
            return RateLimitPartition.GetTokenBucketLimiter(context.User.Name(), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = perMinute,
                TokensPerPeriod = perMinute >= 60 ? perMinute / 60 : 1,
                ReplenishmentPeriod = perMinute >= 60 ? TimeSpan.FromSeconds(1) : TimeSpan.FromSeconds(60.0 / perMinute),
                QueueLimit = 0,
            });
        }));
        builder.Services.AddOpenApi("v1", options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Accounts.Orleans",
                Version = "v1",
                Description = "Connected accounts for workflow engines: connect, link, and read fresh credentials. Every route of /v1 takes an API key as a Bearer token.",
            };
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[ApiKeyAuthentication.SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key of this service (aok_…), created with `apikeys create`.",
            };
            return Task.CompletedTask;
        }).AddOperationTransformer((operation, context, _) =>
        {
            // Only /v1 takes a key; the public catalog and app requests do not.
            if (context.Description.RelativePath?.StartsWith("v1/", StringComparison.Ordinal) == true)
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyAuthentication.SchemeName, context.Document)] = [] }];
            return Task.CompletedTask;
        }));
    }

    public static void MapV1(this WebApplication app)
    {
        app.Use(AuditCallsAsync);
        var v1 = app.MapGroup("/v1")
            .RequireAuthorization()
            .RequireRateLimiting(RateLimitPolicy)
            .AddEndpointFilter(ApiKeyAuthentication.ForwardKey)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        v1.MapGet("/me", (ClaimsPrincipal user) => TypedResults.Ok(new KeyView(
                user.Name(), user.Workspace(), [.. user.FindAll(ApiKeyAuthentication.ScopeClaim).Select(c => c.Value)])))
            .WithTags("Keys").WithSummary("The key this request carries: its name, workspace (null: every workspace) and scopes");
        v1.MapAppEndpoints("/apps");
        v1.MapAccountRoutes();
        v1.MapConnectSessionRoutes();
        v1.MapWebhookRoutes();
        v1.MapAdminRoutes();
        app.MapOpenApi();
        app.MapScalarApiReference("/reference", options => options.WithTitle("Accounts.Orleans API").WithOpenApiRoutePattern("/openapi/{documentName}.json"));
    }

    public sealed record KeyView(string Name, string? WorkspaceId, IReadOnlyList<string> Scopes);

    /// <summary>
    /// Audits every authenticated call of <c>/v1</c> under its key: the route (its pattern, not the values in it) and
    /// the status, once the answer is sent. Repeats fold into one row a second.
    /// </summary>
    private static async Task AuditCallsAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/v1"))
        {
            // Read now: an error answer is written by the exception handler, which clears the endpoint.
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            context.Response.OnCompleted(() =>
            {
                if (context.User.Identity?.IsAuthenticated != true) return Task.CompletedTask;
                var name = context.User.Name();
                context.RequestServices.GetRequiredService<IAuditLog>().Record(new AuditEvent(
                    context.RequestServices.GetRequiredKeyedService<TimeProvider>(ServiceClock.Key).GetUtcNow(),
                    ApiKeyContext.AuditSubject(name), context.User.Workspace() ?? "", AuditActions.ApiCall, name,
                    WorkflowId: null, StepId: null, $"{context.Request.Method} {route} {context.Response.StatusCode}"));
                return Task.CompletedTask;
            });
        }
        await next(context);
    }
}

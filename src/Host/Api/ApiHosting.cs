using System.Globalization;
using System.Text.Json;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Accounts.Orleans.Host.Api.V1;
using Accounts.Orleans.Host.Connect;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Host.Api;

public static class ApiHosting
{
    /// <summary>The limit on the pages a browser reaches without a key (the OAuth callback, the connect page), per client address.</summary>
    public const string BrowserRateLimitPolicy = "browser";

    /// <summary>The HTTP surface: JSON options, problem details, rate limits, OAuth client settings.</summary>
    public static void AddAccountsApi(this WebApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
            // Bodies bound by the framework follow the same rules as those read by hand (ApiJson).
            o.SerializerOptions.UnmappedMemberHandling = ApiJson.Options.UnmappedMemberHandling;
            o.SerializerOptions.AllowDuplicateProperties = false;
        });
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ApiProblems>();
        builder.Services.AddOptions<ApiOptions>().Bind(builder.Configuration.GetSection(ApiOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ApiOptions>, ApiOptionsValidator>();
        builder.AddV1();
        builder.Services.AddRateLimiter(limits =>
        {
            limits.AddPolicy(BrowserRateLimitPolicy, context => PerClientAddress(context, o => o.BrowserRequestsPerMinute));
            limits.AddPolicy(AppRequestEndpoints.RateLimitPolicy, context => PerClientAddress(context, o => o.AppRequestsPerMinute));
            limits.OnRejected = async (rejected, cancellationToken) =>
            {
                var response = rejected.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(10);
                response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await rejected.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = rejected.HttpContext,
                    ProblemDetails = new ProblemDetails { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests; try again later." },
                });
            };
        });
    }

    /// <summary>A sliding minute of <paramref name="perMinute"/> requests for each client address.</summary>
    private static RateLimitPartition<string> PerClientAddress(HttpContext context, Func<ApiOptions, int> perMinute)
        => RateLimitPartition.GetSlidingWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = perMinute(context.RequestServices.GetRequiredService<IOptions<ApiOptions>>().Value),
            Window = TimeSpan.FromMinutes(1),
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        });

    public static void MapAccountsApi(this WebApplication app)
    {
        // Every answer is what its Content-Type says: JSON (an app's name or a nickname included) is never sniffed as markup.
        app.Use((context, next) =>
        {
            // Set as the answer starts: the exception handler clears headers set before it writes a problem.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers.XContentTypeOptions = "nosniff";
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // Before the rate limiter, which counts /v1 calls per verified key.
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { ResponseWriter = WriteHealthAsync });
        app.MapAppEndpoints();
        app.MapAppRequestEndpoints();
        app.MapOAuthCallback();
        app.MapConnectPage();
        app.MapV1();
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString().ToLowerInvariant(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString().ToLowerInvariant(), detail = e.Value.Description }),
        });
    }
}

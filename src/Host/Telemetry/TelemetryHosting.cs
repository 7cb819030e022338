using Accounts.Orleans.Contracts.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Accounts.Orleans.Host.Telemetry;

public static class TelemetryHosting
{
    public const string ServiceName = "accounts-orleans";


    /// <summary>Traces, metrics and logs through OpenTelemetry; exported over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
    public static void AddAccountsTelemetry(this WebApplicationBuilder builder)
    {
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(TelemetryNames.ActivitySource, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/healthz"))
                .AddHttpClientInstrumentation(o => o.EnrichWithHttpRequestMessage = RedactCredentialed))
            .WithMetrics(metrics => metrics
                .AddMeter(TelemetryNames.Meter, "Microsoft.Orleans")
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation());
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])) otel.UseOtlpExporter();
    }

    /// <summary>A call to an app that carries credentials is traced by its host alone: some apps take the key in the path.</summary>
    private static void RedactCredentialed(System.Diagnostics.Activity activity, HttpRequestMessage request)
    {
        if (!request.Options.TryGetValue(TelemetryNames.Credentialed, out var credentialed) || !credentialed || request.RequestUri is not { } uri) return;
        activity.SetTag("url.full", $"{uri.Scheme}://{uri.Authority}/REDACTED");
    }
}

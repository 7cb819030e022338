using System.Diagnostics;
using System.Net.Http.Json;
using Accounts.Orleans.Catalog;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry.Trace;

namespace Accounts.Orleans.Host.Tests.Telemetry;

public sealed class TelemetryTests
{
    [Fact]
    public async Task An_http_request_and_the_grain_calls_it_makes_share_one_trace()
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite()
            .Configure(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)))
            .StartAsync();

        // Listeners are process-wide and other tests run Hosts beside this one: follow a trace this test started.
        ActivityTraceId traceId;
        using (var probe = new Activity("telemetry-probe").SetIdFormat(ActivityIdFormat.W3C))
        {
            // Sampled, so the Host (parent-based sampling) records the request it continues.
            probe.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            probe.Start();
            traceId = probe.TraceId;
            (await host.Http.GetAsync(new Uri("/api/apps/slack", UriKind.Relative), TestContext.Current.CancellationToken)).Dispose();
        }
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        // The exporter hears every Host in this process until ours stops; read the spans after that.
        await host.StopHostAsync();

        var ours = spans.Where(s => s.TraceId == traceId).ToList();
        Assert.Single(ours, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
        var grainCalls = ours.Where(s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)).ToList();
        Assert.Contains(grainCalls, s => s.DisplayName.Contains("IAppCatalogReaderGrain", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_connect_link_and_an_api_key_leave_no_trace_of_their_secrets_in_spans()
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite()
            .Configure(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)))
            .StartAsync();
        var key = (await host.Grains.GetGrain<Contracts.Access.IApiKeyRegistryGrain>(0).CreateAsync(new Contracts.Access.ApiKeyRequest
        {
            Name = "backend", WorkspaceId = TestHost.Workspace, Scopes = [Contracts.Access.Scopes.AccountsWrite],
        })).Key;
        var session = await host.Grains.GetGrain<Contracts.Accounts.IAccountConnectorGrain>(0).CreateConnectSessionAsync(new Contracts.Accounts.ConnectSessionRequest { WorkspaceId = TestHost.Workspace });

        ActivityTraceId traceId;
        using (var probe = new Activity("telemetry-probe").SetIdFormat(ActivityIdFormat.W3C))
        {
            probe.ActivityTraceFlags = ActivityTraceFlags.Recorded;
            probe.Start();
            traceId = probe.TraceId;
            using var handler = new HttpClientHandler { AllowAutoRedirect = false };
            using var browser = new HttpClient(handler) { BaseAddress = host.Http.BaseAddress };
            (await browser.GetAsync(new Uri("/connect?token=" + session.Token, UriKind.Relative), TestContext.Current.CancellationToken)).Dispose();
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            (await host.Http.SendAsync(request, TestContext.Current.CancellationToken)).Dispose();
        }
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopHostAsync();

        var ours = spans.Where(s => s.TraceId == traceId).ToList();
        var text = string.Join("\n", ours.SelectMany(s => s.TagObjects.Select(t => $"{t.Key}={t.Value}").Append(s.DisplayName)));
        Assert.Equal(2, ours.Count(s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore"));
        Assert.DoesNotContain(session.Token[^43..], text, StringComparison.Ordinal);
        Assert.DoesNotContain(key[^43..], text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_an_app_takes_in_its_path_never_reaches_a_span()
    {
        const string Canary = "123456789:AAcanary-in-the-path-0123456789";
        await using var app = await LoopbackKeyApp.StartAsync("lk_0123456789abcdef0123");
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite()
            .With(s => TestCatalog.AddTo(s, new Contracts.Catalog.AppDefinition
            {
                Slug = "path_key_bot",
                Name = "Path Key Bot",
                Categories = ["communication"],
                DocsUrl = "https://docs.path-key.example",
                AuthType = Contracts.Catalog.AuthType.Keys,
                Fields = [new Contracts.Catalog.KeyField { Name = "bot_token", Label = "Bot token", Secret = true, Pattern = "^[0-9]+:[A-Za-z0-9_-]+$" }],
                TestRequest = new Contracts.Catalog.TestRequest { Url = $"http://127.0.0.1:{app.BaseAddress.Port}/bot{{{{bot_token}}}}/getMe" },
            }))
            .Configure(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)))
            .StartAsync();

        await Assert.ThrowsAsync<Contracts.Accounts.KeyVerificationFailedException>(() => host.Connector.ConnectWithKeysAsync(new Contracts.Accounts.KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = "path_key_bot", Nickname = "Bot", Actor = "ops",
            Fields = new Dictionary<string, string> { ["bot_token"] = Canary },
        }));
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopHostAsync();

        var outbound = spans.Where(s => s.Kind == ActivityKind.Client && s.Source.Name.Contains("Http", StringComparison.Ordinal)).ToList();
        // Server spans here are the stand-in app's own (it runs in this process, and ASP.NET Core's source is process-wide).
        var ours = spans.Where(s => s.Kind != ActivityKind.Server);
        var text = string.Join("\n", ours.SelectMany(Text));
        Assert.Contains(outbound, s => Equals(s.GetTagItem("url.full"), $"http://127.0.0.1:{app.BaseAddress.Port}/REDACTED"));
        Assert.DoesNotContain("canary", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth_consent_leaves_neither_its_state_nor_its_code_in_a_span()
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite().WithAuthorizationServer()
            .Configure(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)))
            .StartAsync();
        var started = await host.StartFlowAsync();
        var opened = await host.Browser.OpenFlowAsync(started);
        var redirect = await host.Server!.AuthorizeAsUserAsync(opened.AuthorizeUrl, TestContext.Current.CancellationToken);
        var code = System.Web.HttpUtility.ParseQueryString(redirect.Query)["code"]!;
        using (var page = await host.Browser.CallbackAsync(redirect.Query, opened.Cookie)) Assert.True(page.IsSuccessStatusCode);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopHostAsync();

        // Every Host in this process reports to the exporter; only ours knows this state and code.
        var text = string.Join("\n", spans.ToList().SelectMany(Text));
        Assert.Contains(Contracts.Accounts.OAuthState.FlowKey(started.State), text, StringComparison.Ordinal);
        Assert.DoesNotContain(started.State, text, StringComparison.Ordinal);
        Assert.DoesNotContain(code, text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failed_token_call_has_fixed_status_text_and_no_span_carries_the_apps_description()
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint()
            .Configure(builder => builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans)))
            .StartAsync();
        host.Fake!.Enqueue(Testing.OAuth.FakeResponse.Error(400, "odd_refusal", "spancanary description"));
        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.False(page.IsSuccessStatusCode);
        host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        await host.StopHostAsync();

        var failed = spans.ToList().Where(s => s.Source.Name == Contracts.Telemetry.TelemetryNames.ActivitySource && s.Status == ActivityStatusCode.Error).ToList();
        Assert.NotEmpty(failed);
        // The code alone may travel, in the service's own sentence (an exception event says what failed); the
        // app's description never does, and the status text is the service's own.
        Assert.All(failed, s => Assert.DoesNotContain("odd_refusal", s.StatusDescription ?? "", StringComparison.Ordinal));
        Assert.DoesNotContain("spancanary", string.Join("\n", spans.ToList().SelectMany(Text)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_request_submissions_are_counted_by_outcome()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var submissions = new MetricCollector<long>(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
            CatalogMetrics.MeterName, "accounts.catalog.app_requests");

        foreach (var voter in new[] { "a@example.com", "b@example.com", "b@example.com" })
        {
            (await host.Http.PostAsJsonAsync(new Uri("/api/app-requests", UriKind.Relative),
                new { name = "Metered App", requestedBy = voter }, TestContext.Current.CancellationToken)).Dispose();
        }

        var outcomes = submissions.GetMeasurementSnapshot().Select(m => (string)m.Tags["outcome"]!).ToList();
        Assert.Equal(["created", "voted", "already_voted"], outcomes);
    }

    /// <summary>All a span says: its name, tags, status text, and its events (an exception event carries a message).</summary>
    private static IEnumerable<string> Text(Activity span)
        => span.TagObjects.Select(t => $"{t.Key}={t.Value}")
            .Concat(span.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")))
            .Append(span.DisplayName).Append(span.StatusDescription ?? "");
}

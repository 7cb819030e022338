using System.Net;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Testing;

/// <summary>
/// A stand-in for a key-based app on loopback: its "who am I" endpoint accepts exactly one API key and answers
/// anything else with 401 and a message that quotes the key it got (as careless real APIs do).
/// </summary>
public sealed class LoopbackKeyApp : IAsyncDisposable
{
    public const string Slug = "loopback_keys";
    private readonly WebApplication _app;
    private int _calls;
    private TaskCompletionSource _answering = Answering();

    private LoopbackKeyApp(WebApplication app, string validKey)
    {
        _app = app;
        ValidKey = validKey;
    }

    /// <summary>The one key it accepts; set another to revoke the old one, as a person does at the app.</summary>
    public string ValidKey { get; set; }

    /// <summary>When set, every request is answered with this status, as an app that is down does.</summary>
    public int? FailWith { get; set; }

    public Uri BaseAddress => new(_app.Urls.Single());

    public int Calls => Volatile.Read(ref _calls);

    public static async Task<LoopbackKeyApp> StartAsync(string validKey)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var loopback = new LoopbackKeyApp(app, validKey);
        app.MapGet("/v1/me", async (HttpRequest request) =>
        {
            Interlocked.Increment(ref loopback._calls);
            await Volatile.Read(ref loopback._answering).Task;
            if (loopback.FailWith is { } status) return Results.StatusCode(status);
            var given = request.Headers.Authorization.ToString();
            return given == $"Bearer {loopback.ValidKey}"
                ? Results.Json(new { id = "me" })
                : Results.Json(new { message = $"Invalid API key: {given}" }, statusCode: (int)HttpStatusCode.Unauthorized);
        });
        await app.StartAsync();
        return loopback;
    }

    /// <summary>Keeps every answer waiting until the returned scope ends, as a slow app does.</summary>
    public IDisposable Hold()
    {
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _answering, held);
        return new Held(this, held);
    }

    private static TaskCompletionSource Answering()
    {
        var open = new TaskCompletionSource();
        open.SetResult();
        return open;
    }

    /// <summary>The app's catalog entry, with its test request pointed at this server.</summary>
    public AppDefinition Definition => new()
    {
        Slug = Slug,
        Name = "Loopback Keys",
        Categories = ["developer-tools"],
        DocsUrl = "https://docs.loopback.example/keys",
        AuthType = AuthType.Keys,
        Fields =
        [
            new KeyField { Name = "api_key", Label = "API key", Secret = true, Pattern = "^lk_[a-z0-9]{16,}$" },
            new KeyField { Name = "region", Label = "Region", Pattern = "^(eu|us)$", Required = false },
        ],
        TestRequest = new TestRequest
        {
            Url = new Uri(BaseAddress, "/v1/me").ToString(),
            Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{api_key}}" },
        },
    };

    /// <summary>Host settings that add this app to the catalog and let the service call it over loopback http.</summary>
    public void AddTo(IDictionary<string, string?> settings) => TestCatalog.AddTo(settings, Definition);

    private sealed class Held(LoopbackKeyApp app, TaskCompletionSource held) : IDisposable
    {
        public void Dispose()
        {
            Volatile.Write(ref app._answering, Answering());
            held.TrySetResult();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

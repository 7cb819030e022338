using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Testing;

/// <summary>
/// An app's API on loopback, for the proxy: it accepts a request that carries <see cref="ValidSecret"/> in any of the
/// ways apps take credentials (Bearer, an <c>X-Api-Key</c> header, an <c>api_key</c> query parameter, Basic with the
/// secret as user name) and records every request it got, credentials included, for the test to inspect.
/// </summary>
public sealed class LoopbackApiApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackApiApp(WebApplication app) => _app = app;

    public string ValidSecret { get; set; } = "";

    /// <summary>Whether <see cref="Requests"/> keeps what arrives; off for load, where the queue would only grow.</summary>
    public bool Recording { get; set; } = true;

    public Uri BaseAddress => new(_app.Urls.Single());

    /// <summary>Lets <c>/api/v1/trickle</c> send the rest of its answer: until then it has sent only its first part.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the caller of <c>/api/v1/trickle</c> went away before the answer was whole.</summary>
    public TaskCompletionSource Abandoned { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Every request seen: method, path and query, and its headers.</summary>
    public ConcurrentQueue<(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)> Requests { get; } = new();

    public static async Task<LoopbackApiApp> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var api = new LoopbackApiApp(app);
        app.Run(async context =>
        {
            var request = context.Request;
            using var reader = new StreamReader(request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            if (api.Recording) api.Requests.Enqueue((request.Method, request.Path + request.QueryString, request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            var response = context.Response;
            if (!api.Accepts(request))
            {
                response.StatusCode = StatusCodes.Status401Unauthorized;
                response.Headers.WWWAuthenticate = "Bearer";
                return;
            }
            switch (request.Path.Value)
            {
                case "/api/v1/limited":
                    response.StatusCode = StatusCodes.Status429TooManyRequests;
                    response.Headers.RetryAfter = "7";
                    return;
                case "/api/v1/huge":
                    response.ContentType = "application/octet-stream";
                    var block = new byte[64 * 1024];
                    for (var sent = 0; sent < 10 * 1024 * 1024; sent += block.Length) await response.Body.WriteAsync(block, context.RequestAborted);
                    return;
                case "/api/v1/declared-huge":
                    response.ContentType = "application/octet-stream";
                    response.ContentLength = 10 * 1024 * 1024;
                    await response.Body.WriteAsync(new byte[64 * 1024], context.RequestAborted);
                    return;
                case "/api/v1/trickle":
                    response.ContentType = "text/plain";
                    await response.WriteAsync("first,", context.RequestAborted);
                    await response.Body.FlushAsync(context.RequestAborted);
                    try
                    {
                        await api.Release.Task.WaitAsync(context.RequestAborted);
                        await response.WriteAsync("last", context.RequestAborted);
                    }
                    catch (OperationCanceledException)
                    {
                        api.Abandoned.TrySetResult();
                    }
                    return;
                default:
                    response.Headers.SetCookie = "session=app-session; HttpOnly";
                    response.Headers["X-Request-Path"] = request.Path.Value;
                    await response.WriteAsJsonAsync(new { path = request.Path.Value, method = request.Method, body }, context.RequestAborted);
                    return;
            }
        });
        await app.StartAsync();
        return api;
    }

    private bool Accepts(HttpRequest request)
    {
        var secret = ValidSecret;
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{secret}:X"));
        return request.Headers.Authorization == $"Bearer {secret}"
               || request.Headers.Authorization == $"Basic {basic}"
               || request.Headers["X-Api-Key"] == secret
               || request.Query["api_key"] == secret;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}

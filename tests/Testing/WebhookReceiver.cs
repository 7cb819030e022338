using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using StandardWebhooks;

namespace Accounts.Orleans.Testing;

/// <summary>
/// A webhook endpoint on loopback, as a receiver would write one: it checks each delivery's Standard Webhooks signature
/// against the secrets it was given and records what arrived. <see cref="Answer"/> scripts its reply, so a test can make
/// it fail, flap or hang.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;

    private WebhookReceiver(WebApplication app) => _app = app;

    public string Url => _app.Urls.Single() + "/hooks";

    /// <summary>The secrets a signature may be made with; a delivery is <see cref="Received.Verified"/> when one verifies it.</summary>
    public List<string> Secrets { get; } = [];

    /// <summary>The status to answer the n-th delivery with (1-based); 204 unless told.</summary>
    public Func<int, int> Answer { get; set; } = _ => StatusCodes.Status204NoContent;

    public ConcurrentQueue<Received> Deliveries { get; } = new();

    /// <summary>While set and not completed, every request waits for it before it is answered, as a stuck receiver does.</summary>
    public TaskCompletionSource? Gate { get; set; }

    /// <summary>Requests waiting at the <see cref="Gate"/>.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    private int _waiting;

    /// <summary>One request as it arrived.</summary>
    public sealed record Received(string Id, string Timestamp, string Signature, string Body, bool Verified, int AnsweredWith)
    {
        public JsonObject Json => JsonNode.Parse(Body)!.AsObject();

        public string Type => (string)Json["type"]!;

        public JsonObject Data => Json["data"]!.AsObject();

        /// <summary>Whether <paramref name="secret"/> made one of the request's signatures.</summary>
        public bool SignedWith(string secret) => Verifies(secret, Id, Timestamp, Signature, Body);
    }

    /// <summary>
    /// The Standard Webhooks check as the specification states it: the timestamp within five minutes of now, and any of
    /// the space-separated <c>v1,</c> signatures equal to the HMAC of <c>id.timestamp.body</c> under the secret. (The
    /// library's own <c>Verify</c> looks at only one signature of several, so a rotation's overlap needs this.)
    /// </summary>
    public static bool Verifies(string secret, string id, string timestamp, string signatureHeader, string body)
    {
        if (!long.TryParse(timestamp, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            || Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - seconds) > 300) return false;
        var expected = new StandardWebhook(secret).Sign(id, DateTimeOffset.FromUnixTimeSeconds(seconds), body);
        return signatureHeader.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s == expected);
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var count = 0;
        app.MapPost("/hooks", async (HttpContext context) =>
        {
            using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var headers = context.Request.Headers;
            var verified = receiver.Secrets.ToArray().Any(secret => Verifies(secret, headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body));
            if (receiver.Gate is { } gate)
            {
                Interlocked.Increment(ref receiver._waiting);
                try
                {
                    await gate.Task.WaitAsync(context.RequestAborted);
                }
                finally
                {
                    Interlocked.Decrement(ref receiver._waiting);
                }
            }
            var status = receiver.Answer(Interlocked.Increment(ref count));
            receiver.Deliveries.Enqueue(new Received(headers["webhook-id"].ToString(), headers["webhook-timestamp"].ToString(), headers["webhook-signature"].ToString(), body, verified, status));
            context.Response.StatusCode = status;
        });
        await app.StartAsync();
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

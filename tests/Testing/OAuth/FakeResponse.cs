using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// One scripted answer of a <see cref="FakeTokenEndpoint"/>. Build it with a factory, and adjust it with <c>with</c>:
/// <c>FakeResponse.Token("a") with { Delay = TimeSpan.FromSeconds(2) }</c> is a slow but good answer.
/// </summary>
public sealed record FakeResponse(int StatusCode, string? Body = null, string? ContentType = null)
{
    private const string JsonContentType = "application/json; charset=utf-8";

    /// <summary>Extra response headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>How long to wait before answering; the wait ends early when the client gives up.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>When set, the body is this many bytes of generated JSON-like text, streamed instead of <see cref="Body"/>.</summary>
    public int? GeneratedBodyBytes { get; init; }

    /// <summary>A successful RFC 6749 §5.1 token response; <paramref name="extra"/>'s properties are added to (or replace) the fields.</summary>
    public static FakeResponse Token(string accessToken, int? expiresIn = 3600, string? refreshToken = null, string? scope = null, object? extra = null)
    {
        var json = new JsonObject
        {
            ["access_token"] = accessToken,
            ["token_type"] = "Bearer",
        };
        if (expiresIn is not null) json["expires_in"] = expiresIn;
        if (refreshToken is not null) json["refresh_token"] = refreshToken;
        if (scope is not null) json["scope"] = scope;
        if (extra is not null)
        {
            var fields = JsonSerializer.SerializeToNode(extra) as JsonObject
                ?? throw new ArgumentException("Extra fields must serialize to a JSON object.", nameof(extra));
            foreach (var (name, value) in fields) json[name] = value?.DeepClone();
        }
        return new FakeResponse(StatusCodes.Status200OK, json.ToJsonString(), JsonContentType) { Headers = NoStore() };
    }

    /// <summary>An RFC 6749 §5.2 error: <c>{"error": ..., "error_description": ...}</c> with the given status (usually 400 or 401).</summary>
    public static FakeResponse Error(int status, string error, string? description = null)
    {
        var json = new JsonObject { ["error"] = error };
        if (description is not null) json["error_description"] = description;
        return new FakeResponse(status, json.ToJsonString(), JsonContentType) { Headers = NoStore() };
    }

    /// <summary>Any status with a body of any type, e.g. a 500, a 503, or a 429 with <c>Retry-After</c> (whole seconds, rounded up).</summary>
    public static FakeResponse Status(int status, string? body = null, string contentType = "text/plain", TimeSpan? retryAfter = null)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (retryAfter is { } wait)
        {
            headers["Retry-After"] = ((long)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }
        return new FakeResponse(status, body, body is null ? null : contentType) { Headers = headers };
    }

    /// <summary>A 200 with an HTML login page, as a provider's gateway or a captive portal answers.</summary>
    public static FakeResponse Html200() => new(
        StatusCodes.Status200OK,
        """
        <!DOCTYPE html>
        <html><head><title>Sign in</title></head>
        <body><form method="post" action="/login"><input name="username"><input name="password" type="password"><button>Sign in</button></form></body>
        </html>
        """,
        "text/html; charset=utf-8");

    /// <summary>
    /// Answers only after <paramref name="delay"/> (the wait ends when the client gives up), then with
    /// <paramref name="then"/>, or a 504 when none is given.
    /// </summary>
    public static FakeResponse Hang(TimeSpan delay, FakeResponse? then = null) =>
        (then ?? Status(StatusCodes.Status504GatewayTimeout, "upstream timed out")) with { Delay = delay };

    /// <summary>A 302 to <paramref name="location"/>.</summary>
    public static FakeResponse Redirect(string location) =>
        new(StatusCodes.Status302Found) { Headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) { ["Location"] = location } };

    /// <summary>A 200 <c>application/json</c> body of exactly <paramref name="bytes"/> bytes (at least 20) that looks like a token response.</summary>
    public static FakeResponse Huge(int bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, HugePrefix.Length + HugeSuffix.Length);
        return new FakeResponse(StatusCodes.Status200OK, ContentType: JsonContentType) { GeneratedBodyBytes = bytes };
    }

    /// <summary>Any JSON with any status.</summary>
    public static FakeResponse Json(int status, string json) => new(status, json, JsonContentType);

    internal async Task WriteAsync(HttpResponse response, CancellationToken ct)
    {
        if (Delay > TimeSpan.Zero) await Task.Delay(Delay, ct);

        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers) response.Headers[name] = value;
        if (ContentType is not null) response.ContentType = ContentType;

        if (GeneratedBodyBytes is { } size)
        {
            response.ContentLength = size;
            await WriteGeneratedBodyAsync(response, size, ct);
        }
        else if (Body is not null)
        {
            var bytes = Encoding.UTF8.GetBytes(Body);
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, ct);
        }
        else
        {
            response.ContentLength = 0;
        }
    }

    private static ReadOnlySpan<byte> HugePrefix => "{\"access_token\":\""u8;
    private static ReadOnlySpan<byte> HugeSuffix => "\"}"u8;

    private static async Task WriteGeneratedBodyAsync(HttpResponse response, int size, CancellationToken ct)
    {
        await response.Body.WriteAsync(HugePrefix.ToArray(), ct);
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'a');
        var remaining = size - HugePrefix.Length - HugeSuffix.Length;
        while (remaining > 0)
        {
            var count = Math.Min(remaining, chunk.Length);
            await response.Body.WriteAsync(chunk.AsMemory(0, count), ct);
            remaining -= count;
        }
        await response.Body.WriteAsync(HugeSuffix.ToArray(), ct);
    }

    private static Dictionary<string, string> NoStore() =>
        new(StringComparer.OrdinalIgnoreCase) { ["Cache-Control"] = "no-store", ["Pragma"] = "no-cache" };
}

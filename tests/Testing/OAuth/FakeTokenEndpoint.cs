using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// A token endpoint (and revocation endpoint) that misbehaves on purpose. Every request, whatever its path, is recorded
/// and answered with the next enqueued <see cref="FakeResponse"/>, or <see cref="DefaultResponse"/> when the queue is
/// empty. A client that gives up on a slow answer ends only that request; the endpoint keeps serving.
/// </summary>
public sealed class FakeTokenEndpoint : IAsyncDisposable
{
    private const string TokenPath = "/token";
    private const string RevokePath = "/revoke";

    private readonly Lock _gate = new();
    private readonly Queue<FakeResponse> _script = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;
    private Uri? _baseAddress;
    private FakeResponse _defaultResponse = FakeResponse.Token("fake-access-token");
    private int _answersInProgress;

    private FakeTokenEndpoint()
    {
    }

    public Uri TokenUrl => new(BaseAddress, TokenPath);
    public Uri RevokeUrl => new(BaseAddress, RevokePath);

    /// <summary>The answer when nothing is enqueued: a good token response (<c>fake-access-token</c>, one hour) unless set.</summary>
    public FakeResponse DefaultResponse
    {
        get { lock (_gate) return _defaultResponse; }
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            lock (_gate) _defaultResponse = value;
        }
    }

    /// <summary>
    /// When set, requests at the token path that find nothing enqueued are answered by this rotating app instead of
    /// <see cref="DefaultResponse"/>; revocations are answered 200.
    /// </summary>
    public RotatingRefreshTokens? Rotation { get; set; }

    /// <summary>Every request so far, in arrival order (a snapshot).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get { lock (_gate) return [.. _requests]; }
    }

    /// <summary>Enqueued responses not yet taken.</summary>
    public int PendingResponses
    {
        get { lock (_gate) return _script.Count; }
    }

    /// <summary>Requests being answered right now, e.g. a hang the client has not given up on yet.</summary>
    public int AnswersInProgress => Volatile.Read(ref _answersInProgress);

    private Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The endpoint has not started.");

    public static async Task<FakeTokenEndpoint> StartAsync(CancellationToken ct = default)
    {
        var endpoint = new FakeTokenEndpoint();
        var app = LoopbackHost.CreateBuilder().Build();
        app.Run(endpoint.AnswerAsync);
        endpoint._app = app;
        try
        {
            endpoint._baseAddress = await LoopbackHost.StartAsync(app, ct);
            return endpoint;
        }
        catch
        {
            await endpoint.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds the answer for a later request; returns this endpoint so calls chain.</summary>
    public FakeTokenEndpoint Enqueue(FakeResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (_gate) _script.Enqueue(response);
        return this;
    }

    public async ValueTask DisposeAsync()
    {
        // Hanging answers end now rather than holding shutdown for their full delay.
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            try
            {
                await _app.StopAsync();
            }
            finally
            {
                await _app.DisposeAsync();
            }
        }
        _stopping.Dispose();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var request = context.Request;
        var form = request.HasFormContentType ? await request.ReadFormAsync(context.RequestAborted) : null;
        var body = form is null ? await new StreamReader(request.Body).ReadToEndAsync(context.RequestAborted) : "";
        var recorded = new RecordedRequest(
            request.Method,
            request.Path.Value ?? "",
            request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            form?.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal) ?? new Dictionary<string, string>(StringComparer.Ordinal),
            body,
            request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal));

        FakeResponse response;
        lock (_gate)
        {
            // Recording and taking under one lock keeps Requests[i] paired with the i-th scripted answer.
            _requests.Add(recorded);
            response = _script.TryDequeue(out var next) ? next
                : Rotation is { } rotation ? (recorded.Path == TokenPath ? rotation.Answer(recorded) : new FakeResponse(StatusCodes.Status200OK))
                : _defaultResponse;
        }

        Interlocked.Increment(ref _answersInProgress);
        using var answering = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await response.WriteAsync(context.Response, answering.Token);
        }
        catch (OperationCanceledException) when (answering.IsCancellationRequested)
        {
            // The client gave up or the endpoint is stopping: drop the connection, there is no one to answer.
            context.Abort();
        }
        finally
        {
            Interlocked.Decrement(ref _answersInProgress);
        }
    }
}

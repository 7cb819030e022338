using System.Runtime.CompilerServices;

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// An app's answer whose head is in and whose body is still on the wire. Read it once, in chunks as they come or whole;
/// past the cap it stops with <see cref="ProxyFailure.TooLarge"/>, having passed on no byte beyond it.
/// Disposing it closes the app's connection and leaves the call's one audit entry if nothing did yet.
/// </summary>
public sealed class ProxyAnswer : IAsyncDisposable
{
    /// <summary>The most one read hands on: a read returns what has arrived, so a slow app's bytes are never held back to fill it.</summary>
    public const int ChunkBytes = 64 * 1024;

    private readonly HttpResponseMessage _response;
    private readonly long _limit;
    private readonly CancellationTokenSource _deadline;
    private readonly ProxyExchange.Failures _failures;
    private Stream? _body;
    private long _read;

    internal ProxyAnswer(ProxyHead head, HttpResponseMessage response, long limit, CancellationTokenSource deadline, ProxyExchange.Failures failures)
        => (Head, _response, _limit, _deadline, _failures) = (head, response, limit, deadline, failures);

    public ProxyHead Head { get; }

    /// <summary>The body, chunk by chunk as the app sends it; each chunk is the caller's to keep.</summary>
    public async IAsyncEnumerable<byte[]> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await NextAsync(cancellationToken) is { } chunk) yield return chunk;
    }

    public async Task<byte[]> ReadAllAsync(CancellationToken cancellationToken = default)
    {
        using var whole = new MemoryStream();
        await foreach (var chunk in ReadAsync(cancellationToken)) whole.Write(chunk);
        return whole.ToArray();
    }

    private async Task<byte[]?> NextAsync(CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(_deadline.Token, cancellationToken);
        try
        {
            _body ??= await _response.Content.ReadAsStreamAsync(both.Token);
            var buffer = new byte[ChunkBytes];
            var filled = await _body.ReadAsync(buffer, both.Token);
            if (filled == 0)
            {
                _failures.Answered(Head.Status);
                return null;
            }
            if (_read + filled > _limit) throw _failures.Record(ProxyExchange.TooLarge(_failures.AppSlug, _limit));
            _read += filled;
            return buffer[..filled];
        }
        catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
        {
            throw _failures.Translate(e);
        }
    }

    public ValueTask DisposeAsync()
    {
        _failures.Answered(Head.Status);
        _response.Dispose();
        _deadline.Dispose();
        return ValueTask.CompletedTask;
    }
}

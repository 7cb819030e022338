using System.Runtime.CompilerServices;
using Orleans.Concurrency;
using Orleans.Placement;

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// Runs proxied calls on whichever silo takes them, beside the account's grain rather than inside it: the grain checks
/// the caller and hands over fresh credentials in one short turn, and the app call, however slow, holds up nobody else.
/// </summary>
// Reentrant: it holds no state, and a stateless worker otherwise runs one call at a time on each of a few activations,
// which would queue every caller behind the slowest app.
[StatelessWorker, Reentrant, GrainType("accounts.proxy")]
public sealed class AccountProxyGrain(ProxyExchange exchange) : Grain, IAccountProxyGrain
{
    async Task<ProxyResponse> IAccountProxyGrain.ProxyAsync(string accountId, ProxyRequest request)
    {
        await using var answer = await exchange.OpenAsync(accountId, request, CancellationToken.None);
        return new ProxyResponse { Status = answer.Head.Status, Headers = answer.Head.Headers, Body = await answer.ReadAllAsync() };
    }
}

/// <summary>
/// Streamed proxied calls of one account. A streamed answer is fetched call after call from the activation that holds the
/// app's connection, which a stateless worker cannot promise (it routes each call to any of its activations); one
/// activation per account can, and serves every caller of the account at once, since fetches interleave. It holds
/// nothing, so it goes soon after its last call.
/// </summary>
[PreferLocalPlacement, CollectionAgeLimit(Minutes = 2), GrainType("accounts.proxy-stream")]
public sealed class AccountProxyStreamGrain(ProxyExchange exchange) : Grain, IAccountProxyStreamGrain
{
    async IAsyncEnumerable<ProxyPart> IAccountProxyStreamGrain.StreamAsync(ProxyRequest request, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var answer = await exchange.OpenAsync(this.GetPrimaryKeyString(), request, cancellationToken);
        yield return new ProxyPart { Head = answer.Head };
        await foreach (var chunk in answer.ReadAsync(cancellationToken)) yield return new ProxyPart { Data = chunk };
    }
}

using Accounts.Orleans.Contracts.Access;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// Calls an app's API with an account's credentials, so a workflow step never holds them (key: 0; any silo serves it).
/// The account's grain checks workspace and step link exactly as for a credential read; the call itself runs beside it,
/// so a slow app never holds up the account's other callers.
/// </summary>
[Alias("accounts.IAccountProxyGrain")]
public interface IAccountProxyGrain : IGrainWithIntegerKey
{
    /// <exception cref="AccountNotFoundException">No account has this id, or it belongs to another workspace.</exception>
    /// <exception cref="StepNotLinkedException">The step is not linked to the account.</exception>
    /// <exception cref="AccountNeedsReconnectException">The app refused the account's credentials.</exception>
    /// <exception cref="AccountValidationException">The path leaves the app's API, or the request is malformed, or the app cannot be proxied.</exception>
    /// <exception cref="ProxyFailedException">The app could not be reached, or answered more than the service passes on.</exception>
    /// <remarks>The answer arrives whole, so it suits small answers; <see cref="IAccountProxyStreamGrain"/> passes a large one on as it comes.</remarks>
    [Alias("Proxy"), RequiresScope(Scopes.Proxy)]
    Task<ProxyResponse> ProxyAsync(string accountId, ProxyRequest request);
}

/// <summary>
/// The proxy with the answer passed on as the app sends it: first a part with the status and headers, then parts with
/// the body (key: the account's id). The same checks, credentials, refresh on 401 and audit as
/// <see cref="IAccountProxyGrain"/>. Call it through <see cref="AccountProxy.StreamProxyAsync"/>.
/// </summary>
[Alias("accounts.IAccountProxyStreamGrain")]
public interface IAccountProxyStreamGrain : IGrainWithStringKey
{
    /// <exception cref="ProxyFailedException">
    /// Before the first part: as for <see cref="IAccountProxyGrain.ProxyAsync"/>, and <see cref="ProxyFailure.TooLarge"/>
    /// when the app declares a length past the cap. After it: the app stopped answering, or its body grew past the cap;
    /// what was passed on is then incomplete and must not be taken for the whole answer.
    /// </exception>
    [Alias("Stream"), RequiresScope(Scopes.Proxy)]
    IAsyncEnumerable<ProxyPart> StreamAsync(ProxyRequest request, CancellationToken cancellationToken = default);
}

public static class AccountProxy
{
    /// <summary>Calls the app through the proxy and passes its answer on as it comes (<see cref="IAccountProxyStreamGrain"/>).</summary>
    public static IAsyncEnumerable<ProxyPart> StreamProxyAsync(this IGrainFactory grains, string accountId, ProxyRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grains);
        return !string.IsNullOrEmpty(accountId)
            ? grains.GetGrain<IAccountProxyStreamGrain>(accountId).StreamAsync(request, cancellationToken)
            : NotFound(accountId);
    }

// An iterator that only throws: the refusal arrives where every other one does, at the first MoveNextAsync.
#pragma warning disable CS1998, CS0162
    private static async IAsyncEnumerable<ProxyPart> NotFound(string? accountId)
    {
        throw new AccountNotFoundException(accountId ?? "");
        yield break;
    }
#pragma warning restore CS1998, CS0162
}

/// <summary>A call to the app's API: a path under its base URL, with the caller's query, headers and body.</summary>
[GenerateSerializer, Alias("accounts.proxy-request"), Immutable]
public sealed record ProxyRequest
{
    [Id(0)] public required string WorkspaceId { get; init; }
    [Id(1)] public required string WorkflowId { get; init; }
    [Id(2)] public required string StepId { get; init; }
    [Id(3)] public string Method { get; init; } = "GET";
    /// <summary>Relative to the app's API base URL: <c>/v1/users/me</c>. No scheme, host, <c>..</c> or encoded separators.</summary>
    [Id(4)] public required string Path { get; init; }
    [Id(5)] public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];
    [Id(6)] public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();
    [Id(7)] public byte[]? Body { get; init; }
    [Id(8)] public string? ContentType { get; init; }
}

/// <summary>What the app answered, less hop-by-hop and credential-bearing headers.</summary>
[GenerateSerializer, Alias("accounts.proxy-response"), Immutable]
public sealed record ProxyResponse
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    [Id(2)] public byte[] Body { get; init; } = [];
}

/// <summary>The app's status and headers, less hop-by-hop and credential-bearing ones.</summary>
[GenerateSerializer, Alias("accounts.proxy-head"), Immutable]
public sealed record ProxyHead
{
    [Id(0)] public required int Status { get; init; }
    [Id(1)] public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];
    /// <summary>The body's length when the app declared it; a streamed body of unknown length has none.</summary>
    [Id(2)] public long? Length { get; init; }
}

/// <summary>One part of a streamed answer: the first carries <see cref="Head"/> and no data, every later one data only.</summary>
[GenerateSerializer, Alias("accounts.proxy-part"), Immutable]
public sealed record ProxyPart
{
    [Id(0)] public ProxyHead? Head { get; init; }
    [Id(1)] public byte[] Data { get; init; } = [];
}

/// <summary>Why a proxied call produced no answer to pass on.</summary>
[GenerateSerializer, Alias("accounts.proxy-failure")]
public enum ProxyFailure
{
    /// <summary>The app could not be reached, refused the connection, or its address is not one the service calls.</summary>
    Unreachable = 0,
    /// <summary>The app did not answer within the proxy's time limit.</summary>
    Timeout = 1,
    /// <summary>The answer is larger than the service passes on (<c>Accounts:Connections:ProxyMaxResponseBytes</c>).</summary>
    /// <remarks>A buffered call gets nothing; a streamed one has had at most the cap and then this, never a short answer that looks whole.</remarks>
    TooLarge = 2,
}

[GenerateSerializer, Alias("accounts.error.proxy-failed")]
public sealed class ProxyFailedException(string appSlug, ProxyFailure failure, string reason)
    : AccountException($"The call to {appSlug} through the proxy failed: {reason}")
{
    [Id(0)] public string AppSlug { get; } = appSlug;
    [Id(1)] public ProxyFailure Failure { get; } = failure;
}

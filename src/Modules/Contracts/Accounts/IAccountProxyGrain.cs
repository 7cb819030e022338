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
    [Alias("Proxy"), RequiresScope(Scopes.Proxy)]
    Task<ProxyResponse> ProxyAsync(string accountId, ProxyRequest request);
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

/// <summary>Why a proxied call produced no answer to pass on.</summary>
[GenerateSerializer, Alias("accounts.proxy-failure")]
public enum ProxyFailure
{
    /// <summary>The app could not be reached, refused the connection, or its address is not one the service calls.</summary>
    Unreachable = 0,
    /// <summary>The app did not answer within the proxy's time limit.</summary>
    Timeout = 1,
    /// <summary>The answer is larger than the service passes on (<c>Accounts:Connections:ProxyMaxResponseBytes</c>).</summary>
    TooLarge = 2,
}

[GenerateSerializer, Alias("accounts.error.proxy-failed")]
public sealed class ProxyFailedException(string appSlug, ProxyFailure failure, string reason)
    : AccountException($"The call to {appSlug} through the proxy failed: {reason}")
{
    [Id(0)] public string AppSlug { get; } = appSlug;
    [Id(1)] public ProxyFailure Failure { get; } = failure;
}

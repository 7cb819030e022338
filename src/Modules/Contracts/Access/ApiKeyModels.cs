namespace Accounts.Orleans.Contracts.Access;

/// <summary>An API key to create: a name unique among live keys, a workspace (or null for all), and its scopes.</summary>
[GenerateSerializer, Immutable, Alias("access.ApiKeyRequest")]
public sealed record ApiKeyRequest
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public string? WorkspaceId { get; init; }
    [Id(2)] public required IReadOnlyList<string> Scopes { get; init; }
}

/// <summary>An API key as listed: never its secret.</summary>
[GenerateSerializer, Immutable, Alias("access.ApiKeyView")]
public sealed record ApiKeyView(
    [property: Id(0)] string Name,
    [property: Id(1)] string Prefix,
    [property: Id(2)] string? WorkspaceId,
    [property: Id(3)] IReadOnlyList<string> Scopes,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string CreatedBy,
    [property: Id(6)] DateTimeOffset? RevokedAt);

/// <summary>A new key: <see cref="Key"/> is shown this once and stored nowhere, only its hash.</summary>
[GenerateSerializer, Immutable, Alias("access.ApiKeyCreated")]
public sealed record ApiKeyCreated([property: Id(0)] string Key, [property: Id(1)] ApiKeyView View)
{
    /// <summary>Never the key: a record's generated text would carry it into any log line or message that formats it.</summary>
    public override string ToString() => $"ApiKeyCreated {{ Key = ***, View = {View} }}";
}

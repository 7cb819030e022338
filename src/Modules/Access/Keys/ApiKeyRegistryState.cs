namespace Accounts.Orleans.Access.Keys;

[GenerateSerializer, Alias("access.ApiKeyRegistryState")]
public sealed class ApiKeyRegistryState
{
    /// <summary>Every key ever created, by id; revoked ones stay, so the audit can still name them.</summary>
    [Id(0)] public Dictionary<string, StoredApiKey> Keys { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("access.StoredApiKey")]
public sealed record StoredApiKey(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] byte[] Hash,
    [property: Id(3)] string? WorkspaceId,
    [property: Id(4)] IReadOnlyList<string> Scopes,
    [property: Id(5)] DateTimeOffset CreatedAt,
    [property: Id(6)] string CreatedBy,
    [property: Id(7)] DateTimeOffset? RevokedAt)
{
    public ApiKeyView View() => new(Name, ApiKeySecret.Display(Id), WorkspaceId, Scopes, CreatedAt, CreatedBy, RevokedAt);
}

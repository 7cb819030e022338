namespace Accounts.Orleans.Connections.Accounts;

/// <summary>An account connected with fields: keys, or a client's own credentials with the first token they fetched (<see cref="Tokens"/>).</summary>
[GenerateSerializer, Alias("accounts.new-key-account"), Immutable]
public sealed record NewKeyAccount(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] IReadOnlyDictionary<string, string> Values,
    [property: Id(4)] IReadOnlyDictionary<string, string> DisplayFields,
    [property: Id(5)] string Actor,
    [property: Id(6)] ReceivedTokens? Tokens = null)
{
    public override string ToString() => $"NewKeyAccount {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug}, Nickname = {Nickname} }}";
}

namespace Accounts.Orleans.Connections.Accounts;

[GenerateSerializer, Alias("accounts.new-key-account"), Immutable]
public sealed record NewKeyAccount(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] IReadOnlyDictionary<string, string> Values,
    [property: Id(4)] IReadOnlyDictionary<string, string> DisplayFields,
    [property: Id(5)] string Actor)
{
    public override string ToString() => $"NewKeyAccount {{ WorkspaceId = {WorkspaceId}, AppSlug = {AppSlug}, Nickname = {Nickname} }}";
}

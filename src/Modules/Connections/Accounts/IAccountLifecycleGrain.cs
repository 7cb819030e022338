using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// How the Connections module itself creates and re-keys an account. Not in the contracts: only the connector (and
/// later the OAuth flow) may hand an account its credentials.
/// </summary>
[Alias("accounts.IAccountLifecycleGrain")]
public interface IAccountLifecycleGrain : IGrainWithStringKey
{
    [Alias("CreateWithKeys")]
    Task<AccountSummary> CreateWithKeysAsync(NewKeyAccount account);

    [Alias("ReplaceKeys")]
    Task<AccountSummary> ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor);
}

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

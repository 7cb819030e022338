namespace Accounts.Orleans.Connections.Accounts;

[GenerateSerializer, Alias("accounts.new-oauth-account"), Immutable]
public sealed record NewOAuthAccount(
    [property: Id(0)] string WorkspaceId,
    [property: Id(1)] string AppSlug,
    [property: Id(2)] string Nickname,
    [property: Id(3)] ReceivedTokens Tokens,
    [property: Id(4)] string Actor);

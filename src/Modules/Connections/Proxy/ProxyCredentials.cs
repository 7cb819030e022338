namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// What a proxied call needs of an account, handed by its grain to the proxy beside it and never further: the values
/// the app's credential templates name (key fields, <c>access_token</c>), and the account's connection values (a shop, an
/// instance), which are no secret and fill only its API's address.
/// </summary>
[GenerateSerializer, Alias("accounts.proxy-credentials"), Immutable]
public sealed record ProxyCredentials(
    [property: Id(0)] string AppSlug,
    [property: Id(1)] IReadOnlyDictionary<string, string> Values,
    [property: Id(2)] bool CanRefresh,
    [property: Id(3)] IReadOnlyDictionary<string, string>? Connection = null)
{
    /// <summary>The value an OAuth 1.0a account's token secret goes by: it signs the call, and no template may name it.</summary>
    public const string TokenSecret = "oauth_token_secret";

    /// <summary>Never the values: a record printed by accident must not print a credential.</summary>
    public override string ToString() => $"ProxyCredentials({AppSlug}, {Values.Count} value(s))";
}

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// What a proxied call needs of an account, handed by its grain to the proxy beside it and never further: the values
/// the app's credential templates name (key fields, <c>access_token</c>).
/// </summary>
[GenerateSerializer, Alias("accounts.proxy-credentials"), Immutable]
public sealed record ProxyCredentials(
    [property: Id(0)] string AppSlug,
    [property: Id(1)] IReadOnlyDictionary<string, string> Values,
    [property: Id(2)] bool CanRefresh)
{
    /// <summary>Never the values: a record printed by accident must not print a credential.</summary>
    public override string ToString() => $"ProxyCredentials({AppSlug}, {Values.Count} value(s))";
}

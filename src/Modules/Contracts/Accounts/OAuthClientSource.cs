
namespace Accounts.Orleans.Contracts.Accounts;

[GenerateSerializer, Alias("accounts.oauth-client-source")]
public enum OAuthClientSource
{
    /// <summary><c>Accounts:OAuthClients:&lt;slug&gt;</c>; it takes precedence over a stored client.</summary>
    Configuration = 0,
    /// <summary>Entered by an operator and stored sealed.</summary>
    Stored = 1,
}

using Accounts.Orleans.Contracts.Access;
using Orleans.Concurrency;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// The OAuth clients this deployment registered at apps, as operators manage them (key: 0, one per deployment). A
/// client comes from configuration (<c>Accounts:OAuthClients:&lt;slug&gt;</c>), which always wins, or is entered here
/// and stored sealed. No method returns a client secret: once entered it is only ever used, never shown.
/// </summary>
[Alias("accounts.IOAuthClientRegistryGrain")]
public interface IOAuthClientRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Every app with a client, from configuration or stored, ordered by slug; never a secret.</summary>
    [Alias("List"), ReadOnly, RequiresScope(Scopes.Admin)]
    Task<IReadOnlyList<OAuthClientStatus>> ListAsync();

    /// <summary>
    /// Stores (or replaces) the client of an OAuth app; the secret is sealed before it is stored. Surrounding whitespace
    /// (as a paste brings along) is dropped from the client id and secret.
    /// </summary>
    /// <exception cref="AccountValidationException">Unknown or key-based app; an empty, over-long or non-printable client id or secret.</exception>
    /// <exception cref="OAuthClientInConfigurationException">Configuration defines this app's client; change it there.</exception>
    [Alias("Set"), RequiresScope(Scopes.Admin)]
    Task<OAuthClientStatus> SetAsync(OAuthClientRegistration registration);

    /// <summary>
    /// Forgets the stored client of an app (nothing happens when none is stored). Until another is set, connecting the
    /// app and refreshing its accounts' tokens fail with <see cref="OAuthClientNotConfiguredException"/>.
    /// </summary>
    /// <exception cref="AccountValidationException">The app slug is malformed.</exception>
    /// <exception cref="OAuthClientInConfigurationException">Only configuration defines this app's client; remove it there.</exception>
    [Alias("Remove"), RequiresScope(Scopes.Admin)]
    Task RemoveAsync(string appSlug, string actor);

    /// <summary>
    /// The callback URL (redirect URI) this deployment sends to every app: what an operator registers with the client
    /// at the app's developer console.
    /// </summary>
    [Alias("GetCallbackUrl"), ReadOnly]
    Task<string> GetCallbackUrlAsync();
}

using System.Text;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// The one place the silo learns an app's OAuth client: configuration first (<c>Accounts:OAuthClients:&lt;slug&gt;</c>),
/// else the client an operator stored. A stored secret travels sealed and is opened here, in the silo that uses it.
/// One grain call when configuration has no client; none when it has.
/// </summary>
public sealed partial class OAuthClients(IOptionsMonitor<OAuthClientsOptions> configured, IGrainFactory grains, EnvelopeCipher cipher, ILogger<OAuthClients> logger)
{
    /// <summary>The app's client with its secret in plain text, for a token request; null when there is none.</summary>
    /// <exception cref="CredentialsUnavailableException">A stored secret cannot be opened (the master key is missing or wrong).</exception>
    public async Task<OAuthClientCredentials?> FindAsync(string appSlug)
    {
        if (configured.CurrentValue.IsConfigured(appSlug)) return configured.CurrentValue[appSlug];
        var stored = await Store.FindAsync(appSlug);
        if (stored is null) return null;
        return new OAuthClientCredentials
        {
            ClientId = stored.ClientId,
            ClientSecret = stored.SealedSecret is null ? null : Open(appSlug, stored.SealedSecret),
            // Opened with the current one, so a rotation that overlaps is covered by the token client's fallback.
            NextClientSecret = stored.SealedNextSecret is null ? null : Open(appSlug, stored.SealedNextSecret),
        };
    }

    private IOAuthClientStoreGrain Store => grains.GetGrain<IOAuthClientStoreGrain>(0);

    private string Open(string appSlug, byte[] sealedSecret)
    {
        try
        {
            return Encoding.UTF8.GetString(cipher.Open(sealedSecret, StoredOAuthClient.Binding(appSlug)));
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, appSlug, e.Message);
            throw new CredentialsUnavailableException(OAuthClientRegistryGrain.AuditSubject(appSlug));
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot open the stored OAuth client secret of {App}: {Problem}")]
    private static partial void LogCannotOpen(ILogger logger, string app, string problem);
}

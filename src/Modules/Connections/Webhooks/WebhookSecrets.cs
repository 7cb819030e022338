using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// Endpoint signing secrets: <c>whsec_</c> and 32 random bytes in base64, the form Standard Webhooks libraries take.
/// Stored sealed under the master key ring, bound to the endpoint and its workspace, so a sealed secret copied to
/// another row does not open.
/// </summary>
public sealed class WebhookSecrets(EnvelopeCipher cipher)
{
    public const string Prefix = "whsec_";

    public static string New() => Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    /// <summary>The last four characters, to tell secrets apart without showing one.</summary>
    public static string Hint(string secret) => secret[^4..];

    public byte[] Seal(string secret, string workspaceId, string endpointId) => cipher.Seal(Encoding.UTF8.GetBytes(secret), Binding(workspaceId, endpointId));

    /// <exception cref="CredentialEnvelopeException">This service's master keys cannot open it.</exception>
    public string Open(byte[] sealedSecret, string workspaceId, string endpointId) => Encoding.UTF8.GetString(cipher.Open(sealedSecret, Binding(workspaceId, endpointId)));

    /// <summary>The sealed secret with its data key wrapped under the active master key; null when it already is.</summary>
    /// <exception cref="CredentialEnvelopeException">This service's master keys cannot open it.</exception>
    public byte[]? Rewrap(byte[] sealedSecret, string workspaceId, string endpointId)
        => EnvelopeCipher.MasterKeyIdOf(sealedSecret) == cipher.ActiveKeyId ? null : cipher.Rewrap(sealedSecret, Binding(workspaceId, endpointId));

    private static CredentialBinding Binding(string workspaceId, string endpointId) => new(workspaceId, endpointId);
}

using System.Text.Json;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// An account's secrets in and out of their envelope. The envelope is bound to the account and its workspace, so a
/// ciphertext moved to another row does not open; a wrong or missing master key fails closed.
/// </summary>
public sealed partial class CredentialSeal(EnvelopeCipher cipher, ConnectionsTelemetry telemetry, ILogger<CredentialSeal> logger)
{
    public byte[] Seal(string accountId, string workspaceId, AccountSecrets secrets)
        => cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(secrets), new CredentialBinding(workspaceId, accountId));

    /// <exception cref="CredentialsUnavailableException">The account holds no secrets, or this service cannot open them.</exception>
    public AccountSecrets Open(string accountId, ConnectedAccountState account)
    {
        if (account is not { SealedSecrets: { } sealedSecrets, WorkspaceId: { } workspaceId }) throw new CredentialsUnavailableException(accountId);
        try
        {
            var secrets = JsonSerializer.Deserialize<AccountSecrets>(cipher.Open(sealedSecrets, new CredentialBinding(workspaceId, accountId)))
                          ?? throw new CredentialsUnavailableException(accountId);
            telemetry.SecretsOpened(account.AppSlug);
            return secrets;
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, accountId, e.Message);
            throw new CredentialsUnavailableException(accountId);
        }
    }

    /// <summary>The envelope with its data key re-wrapped under the active master key; null when it already was.</summary>
    /// <exception cref="CredentialsUnavailableException">This service cannot open the envelope.</exception>
    public byte[]? Rewrap(string accountId, ConnectedAccountState account)
    {
        if (account is not { SealedSecrets: { } sealedSecrets, WorkspaceId: { } workspaceId }) return null;
        try
        {
            return EnvelopeCipher.MasterKeyIdOf(sealedSecrets) == cipher.ActiveKeyId ? null : cipher.Rewrap(sealedSecrets, new CredentialBinding(workspaceId, accountId));
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, accountId, e.Message);
            throw new CredentialsUnavailableException(accountId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot open the credentials of account {AccountId}: {Problem}")]
    private static partial void LogCannotOpen(ILogger logger, string accountId, string problem);
}

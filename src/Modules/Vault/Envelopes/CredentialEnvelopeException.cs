namespace Accounts.Orleans.Vault.Envelopes;

/// <summary>
/// Stored credentials could not be opened: tampered, moved to another account, or sealed under a master key this
/// deployment does not hold. The service fails closed; the message never contains key material or plaintext.
/// </summary>
public sealed class CredentialEnvelopeException(string message, Exception? inner = null) : Exception(message, inner);

namespace Accounts.Orleans.Vault;

/// <summary>The key ring cannot be loaded, or must not be created; the message is one line for the operator.</summary>
public sealed class VaultStartupException(string message, Exception? innerException = null) : Exception(message, innerException);

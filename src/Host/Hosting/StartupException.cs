namespace Accounts.Orleans.Host.Hosting;

/// <summary>A problem that stops the Host before it serves anything; its message is the one line the operator sees.</summary>
public sealed class StartupException(string message, Exception? inner = null) : Exception(message, inner);

namespace Accounts.Orleans.Contracts.Access;

/// <summary>
/// A contract only the service itself calls (its HTTP pages, its grains), never a client with an API key, whatever its
/// scopes. Such a contract lives in Contracts because the Host's pages call it; the silo's edge refuses it to clients
/// exactly as it refuses the modules' internal interfaces.
/// </summary>
[AttributeUsage(AttributeTargets.Interface, AllowMultiple = false, Inherited = false)]
public sealed class ServiceOnlyAttribute : Attribute;

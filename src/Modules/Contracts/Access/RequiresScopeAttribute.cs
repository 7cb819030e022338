namespace Accounts.Orleans.Contracts.Access;

/// <summary>
/// The scope a caller's principal must hold to call a contract method; the silo's edge checks it before the grain
/// runs. A contract method without one needs an authenticated caller and nothing more.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class RequiresScopeAttribute(string scope) : Attribute
{
    public string Scope { get; } = scope;
}

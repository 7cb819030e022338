namespace Accounts.Orleans.Contracts.Access;

/// <summary>
/// Who a call acts for, as the silo verified it: an API key (its name, its workspace or all of them, its scopes) or
/// the service itself (<see cref="IsSystem"/>: the Host's own endpoints and background work). Grains read it from
/// <see cref="Current"/>; nothing a caller sends in a request body stands in for it.
/// </summary>
[GenerateSerializer, Immutable, Alias("access.Principal")]
public sealed record Principal(
    [property: Id(0)] string Name,
    [property: Id(1)] string? WorkspaceId,
    [property: Id(2)] IReadOnlyList<string> Scopes,
    [property: Id(3)] bool IsSystem)
{
    /// <summary>Where the silo's edge leaves the verified principal for the grain it calls.</summary>
    public const string ContextKey = "accounts.principal";

    /// <summary>The principal the current grain call acts for; null outside a verified call.</summary>
    public static Principal? Current => RequestContext.Get(ContextKey) as Principal;

    /// <summary>The service acting on its own account, in every workspace with every scope.</summary>
    public static Principal System(string name) => new($"system:{name}", null, [Access.Scopes.Admin], IsSystem: true);

    /// <summary>
    /// Whom the audit names for the current call: the API key that acted, whatever its request says; only the
    /// service's own callers (its endpoints, engines in the silo process) name an actor of their own.
    /// </summary>
    public static string? Actor(string? requested) => Current is { IsSystem: false } key ? key.Name : requested;

    public bool Has(string scope) => Scopes.Contains(Access.Scopes.Admin) || Scopes.Contains(scope);

    /// <summary>Whether this principal may see <paramref name="workspaceId"/>'s accounts.</summary>
    public bool CanSee(string workspaceId) => WorkspaceId is null || WorkspaceId == workspaceId;
}

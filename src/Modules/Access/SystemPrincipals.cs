namespace Accounts.Orleans.Access;

/// <summary>
/// Marks the calls a silo makes. A call that carries no principal is work the silo started on its own account (the
/// Host's endpoints, background services, grain timers): it acts as the service itself. A call a grain makes carries
/// a tag proving it came from a grain of this cluster, so the service's internal interfaces can tell a grain's call,
/// made while serving a client, from the same client calling them directly. A client's calls never pass through a
/// silo's outgoing filters.
/// </summary>
public sealed class SystemPrincipals(PrincipalResolver resolver) : IOutgoingGrainCallFilter
{
    private string? _mark;

    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (RequestContext.Get(ApiKeyContext.Key) is null && RequestContext.Get(PrincipalResolver.SystemContextKey) is null)
            RequestContext.Set(PrincipalResolver.SystemContextKey, _mark ??= resolver.SystemMark("silo"));
        if (context.SourceContext is not null && context.InterfaceMethod?.DeclaringType?.Namespace?.StartsWith("Accounts.Orleans.", StringComparison.Ordinal) == true)
            RequestContext.Set(PrincipalResolver.HopContextKey, resolver.HopMark(context.TargetId));
        return context.Invoke();
    }
}

using System.Collections.Concurrent;
using System.Reflection;
using Accounts.Orleans.Access;
using Accounts.Orleans.Contracts.Access;
using Orleans.Serialization.Invocation;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// Who may call what, decided before a grain runs: every call to one of the service's grains acts for a verified
/// <see cref="Principal"/>; the service's internal interfaces answer only the service itself and its grains; a contract method's
/// <see cref="RequiresScopeAttribute"/> names the scope the caller's key must hold.
/// </summary>
public sealed class CallerChecks(PrincipalResolver principals)
{
    private const string ContractsNamespace = "Accounts.Orleans.Contracts.";

    private static readonly ConcurrentDictionary<MethodInfo, Rule> Rules = new();

    /// <summary>
    /// Whether this call reaches one of the service's grains (Orleans' own system targets are not ours to check). A
    /// streamed answer (<see cref="IAsyncEnumerable{T}"/>) is fetched through an Orleans extension on the grain, so
    /// those calls are ours too when the grain is.
    /// </summary>
    public static bool IsOurs(IIncomingGrainCallContext context)
        => IsOurs(context.InterfaceMethod?.DeclaringType)
           || (context.InterfaceMethod?.DeclaringType == typeof(IAsyncEnumerableGrainExtension) && IsOurs(context.TargetContext?.GrainInstance?.GetType()));

    /// <summary>
    /// The contract method this call answers to, with its arguments: the call itself, or the method whose streamed answer
    /// it starts. Null for the later fetches of a streamed answer, which carry no arguments of their own.
    /// </summary>
    public static (MethodInfo Method, IInvokable Request)? Contract(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IAsyncEnumerableGrainExtension)) return (context.InterfaceMethod!, context.Request);
        return context.InterfaceMethod.Name == nameof(IAsyncEnumerableGrainExtension.StartEnumeration) && context.Request.GetArgument(1) is IInvokable started
            ? (started.GetMethod(), started)
            : null;
    }

    private static bool IsOurs(Type? type) => type?.Namespace?.StartsWith("Accounts.Orleans.", StringComparison.Ordinal) == true;

    /// <summary>
    /// Verifies the caller: its principal, or the refusal. The caller of this sets the principal into the request context
    /// itself, right before it invokes the grain: a value set inside an awaited async method would not reach the grain.
    /// </summary>
    public ValueTask<(Principal? Principal, Exception? Refusal)> CheckAsync(IIncomingGrainCallContext context)
    {
        // Fetching more of a streamed answer needs only a verified caller: the stream was started under the method's own rule,
        // and is known only by two random ids (the grain's and the enumeration's) its starter holds.
        var rule = Contract(context) is { Method: var method } ? Rules.GetOrAdd(method, Rule.For) : Rule.Continuation;
        // An internal interface answers the service itself, or one of its grains serving a caller.
        var internalAllowed = !rule.Internal || principals.IsHopFromGrain(context.TargetId);
        var resolving = principals.ResolveAsync();
        return resolving.IsCompletedSuccessfully ? new(Admit(resolving.Result, rule, internalAllowed)) : AwaitAsync(resolving, rule, internalAllowed);
    }

    private static async ValueTask<(Principal?, Exception?)> AwaitAsync(ValueTask<Principal?> resolving, Rule rule, bool internalAllowed)
        => Admit(await resolving, rule, internalAllowed);

    private static (Principal?, Exception?) Admit(Principal? principal, Rule rule, bool internalAllowed)
    {
        if (principal is null) return (null, new UnauthenticatedException());
        if (!internalAllowed && !principal.IsSystem) return (null, new PermissionDeniedException("service"));
        if (rule.Scope is { } scope && !principal.Has(scope)) return (null, new PermissionDeniedException(scope));
        return (principal, null);
    }

    private sealed record Rule(bool Internal, string? Scope)
    {
        public static readonly Rule Continuation = new(Internal: false, Scope: null);

        public static Rule For(MethodInfo method)
            => new(!method.DeclaringType!.Namespace!.StartsWith(ContractsNamespace, StringComparison.Ordinal) || method.DeclaringType.IsDefined(typeof(ServiceOnlyAttribute), inherit: false),
                method.GetCustomAttribute<RequiresScopeAttribute>()?.Scope);
    }
}

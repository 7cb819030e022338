using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Storage;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// The silo's edge, on every grain call: the caller is verified and its scope checked (<see cref="CallerChecks"/>),
/// arguments the contract cannot take are refused before the grain runs (<see cref="ContractArguments"/>), and a database failure inside any grain method (an index query, an audit write,
/// state Orleans wrapped) leaves as <see cref="StorageUnavailableException"/>, never as a driver type the caller cannot
/// even deserialize. One filter rather than two, because each filter costs every call, warm credential reads included.
/// </summary>
public sealed partial class GrainCallBoundary(CallerChecks callers, ILogger<StorageFaults> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (!CallerChecks.IsOurs(context)) return context.Invoke();
        var checking = callers.CheckAsync(context);
        return checking.IsCompletedSuccessfully ? Checked(context, checking.Result) : CheckedAsync(checking, context);
    }

    private async Task CheckedAsync(ValueTask<(Principal? Principal, Exception? Refusal)> checking, IIncomingGrainCallContext context)
        => await Checked(context, await checking);

    /// <summary>Sets the verified principal, replacing whatever the caller sent under its name, then runs the call.</summary>
    private Task Checked(IIncomingGrainCallContext context, (Principal? Principal, Exception? Refusal) verdict)
    {
        if (verdict.Refusal is { } denied) return Task.FromException(denied);
        RequestContext.Set(Principal.ContextKey, verdict.Principal!);
        if (ContractArguments.Check(context) is { } refusal) return Task.FromException(refusal);
        // Most calls (a warm credential read) finish synchronously; only a call still running needs the async frame.
        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? Task.CompletedTask : ObserveAsync(call, context);
    }

    private async Task ObserveAsync(Task call, IIncomingGrainCallContext context)
    {
        try
        {
            await call;
        }
        catch (Exception e) when (e is not StorageUnavailableException && StorageFaults.FindCause(e) is { } cause)
        {
            // The storage wrapper logs failures of grain state; this is the first and only word on this one.
            if (StorageFaults.IsOutage(cause)) LogOutage(logger, context.InterfaceName, context.MethodName, StorageFaults.Describe(cause));
            else LogFailure(logger, context.InterfaceName, context.MethodName, StorageFaults.Describe(cause));
            throw new StorageUnavailableException();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable during {Interface}.{Method} ({Cause})")]
    private static partial void LogOutage(ILogger logger, string @interface, string method, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage failed during {Interface}.{Method} ({Cause})")]
    private static partial void LogFailure(ILogger logger, string @interface, string method, string cause);
}

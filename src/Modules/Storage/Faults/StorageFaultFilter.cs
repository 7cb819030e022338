using Accounts.Orleans.Contracts.Storage;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Storage.Faults;

/// <summary>
/// The last line before a grain's answer leaves the silo: a database failure inside any grain method (an index query, an
/// audit write, state that Orleans wrapped) reaches the caller as <see cref="StorageUnavailableException"/>, never as a
/// driver type its client cannot even deserialize. Logs the cause unless the storage wrapper already did.
/// </summary>
public sealed partial class StorageFaultFilter(ILogger<StorageFaultFilter> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
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

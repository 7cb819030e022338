using Accounts.Orleans.Contracts.Storage;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Accounts.Orleans.Storage;

/// <summary>
/// Wraps the ADO.NET grain storage so that a database failure leaves it as <see cref="StorageUnavailableException"/>:
/// a type every caller can deserialize and act on, which Orleans passes through unwrapped (a grain that cannot load its
/// state fails activation with it). The cause is logged here, once. ETag conflicts pass through as they are.
/// </summary>
/// <remarks>
/// Logs under <see cref="StorageFaults"/>: Orleans logs its own line for every failed storage call under the type of
/// the storage, this one, and the Host silences that category so each failure is told once, with its cause.
/// </remarks>
public sealed partial class TypedFaultGrainStorage(IGrainStorage inner, ILogger<StorageFaults> logger) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => GuardAsync(inner.ReadStateAsync(stateName, grainId, grainState), "read", stateName, grainId);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
        => GuardAsync(inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken), "read", stateName, grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => GuardAsync(inner.WriteStateAsync(stateName, grainId, grainState), "write", stateName, grainId);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
        => GuardAsync(inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken), "write", stateName, grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        => GuardAsync(inner.ClearStateAsync(stateName, grainId, grainState), "clear", stateName, grainId);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken)
        => GuardAsync(inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken), "clear", stateName, grainId);

    private async Task GuardAsync(Task operation, string kind, string stateName, GrainId grainId)
    {
        try
        {
            await operation;
        }
        catch (Exception e) when (e is not InconsistentStateException && StorageFaults.FindCause(e) is { } cause)
        {
            if (StorageFaults.IsOutage(cause)) LogOutage(logger, kind, stateName, grainId, StorageFaults.Describe(cause));
            else LogFailure(logger, kind, stateName, grainId, StorageFaults.Describe(cause));
            throw new StorageUnavailableException();
        }
        catch (Exception e) when (e is not InconsistentStateException and not OperationCanceledException)
        {
            // Not the database: state that cannot be serialized or read back. The providers' own logs are silenced, so say it here.
            LogUnexpected(logger, e, kind, stateName, grainId);
            throw;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Storage unavailable: {Operation} of {StateName} state for {GrainId} failed ({Cause})")]
    private static partial void LogOutage(ILogger logger, string operation, string stateName, GrainId grainId, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage {Operation} of {StateName} state for {GrainId} failed ({Cause})")]
    private static partial void LogFailure(ILogger logger, string operation, string stateName, GrainId grainId, string cause);

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage {Operation} of {StateName} state for {GrainId} failed")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string operation, string stateName, GrainId grainId);
}

using Accounts.Orleans.Contracts.Storage;
using Orleans.Storage;

namespace Accounts.Orleans.Storage;

public static class GrainStateWrites
{
    /// <summary>
    /// Writes (or clears) a grain's state. If storage refuses, the change in memory never reached it: the grain calls
    /// <paramref name="startOver"/> (deactivate when idle) so its next call starts from what storage holds, and the caller
    /// gets <see cref="StorageUnavailableException"/>, an ETag conflict included.
    /// </summary>
    public static async Task WriteOrStartOverAsync<T>(this IPersistentState<T> state, Action startOver, bool clear = false)
    {
        try
        {
            if (clear) await state.ClearStateAsync();
            else await state.WriteStateAsync();
        }
        catch (Exception e) when (e is StorageUnavailableException or InconsistentStateException)
        {
            startOver();
            if (e is InconsistentStateException) throw new StorageUnavailableException("The same record was changed elsewhere at the same moment; try again.");
            throw;
        }
    }
}

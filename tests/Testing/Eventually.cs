using System.Diagnostics;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>Waits for something another thread or process makes true, polling, and fails with what it waited for.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string waitingFor)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout) throw new TimeoutException($"Waited {timeout} for {waitingFor}.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string waitingFor)
        => TrueAsync(() => Task.FromResult(condition()), timeout, waitingFor);
}

using System.Collections.Concurrent;
using Terminal.Gui.App;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>
/// Where the console's awaits come back to: the UI thread, at the start of the next main-loop iteration, in whatever
/// loop is running (the main window's or a dialog's). It replaces Terminal.Gui 2.5's own context, which runs work posted
/// from the UI thread inline and queues work from other threads as a timer under a lock that a dialog opened from a
/// timer callback holds for as long as it is open: every await inside such a dialog then waited forever, with the pool
/// threads that tried to post its continuations blocked behind it.
/// </summary>
public sealed class UiSynchronizationContext : SynchronizationContext
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _posted = new();
    private readonly int _uiThread = Environment.CurrentManagedThreadId;

    private UiSynchronizationContext() { }

    /// <summary>
    /// Makes this the UI thread's context while <paramref name="app"/> runs; call on the UI thread after Init, and end
    /// the scope when the main loop has returned: nothing drains the queue after that, so an await left on this context
    /// (shutting the cluster client down, say) would never come back.
    /// </summary>
    public static IDisposable Install(IApplication app)
    {
        var context = new UiSynchronizationContext();
        var previous = Current;
        EventHandler<EventArgs<IApplication?>> iteration = (_, _) => context.RunPosted();
        // Every session Terminal.Gui begins installs its own context again.
        EventHandler<SessionTokenEventArgs> begun = (_, _) => SetSynchronizationContext(context);
        app.Iteration += iteration;
        app.SessionBegun += begun;
        SetSynchronizationContext(context);
        return new Installed(() =>
        {
            app.Iteration -= iteration;
            app.SessionBegun -= begun;
            SetSynchronizationContext(previous);
        });
    }

    public override void Post(SendOrPostCallback d, object? state) => _posted.Enqueue((d, state));

    public override void Send(SendOrPostCallback d, object? state)
    {
        if (Environment.CurrentManagedThreadId == _uiThread)
        {
            d(state);
            return;
        }
        using var done = new ManualResetEventSlim();
        Exception? failure = null;
        Post(_ =>
        {
            try
            {
                d(state);
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                done.Set();
            }
        }, null);
        done.Wait();
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    public override SynchronizationContext CreateCopy() => this;

    private sealed class Installed(Action uninstall) : IDisposable
    {
        public void Dispose() => uninstall();
    }

    /// <summary>
    /// Runs what was posted before this call. A callback may open a dialog, whose loop calls this again; work posted
    /// meanwhile waits for the next iteration, so one busy callback cannot starve the screen.
    /// </summary>
    private void RunPosted()
    {
        for (var count = _posted.Count; count > 0 && _posted.TryDequeue(out var work); count--) work.Callback(work.State);
    }
}

using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Storage;

/// <summary>
/// Work a silo repeats on a timer until it stops. A run that fails is logged and the next tick tries again, so one bad
/// minute (the database restarting) never ends the loop.
/// </summary>
public abstract partial class PeriodicWork(TimeSpan interval, TimeProvider time, ILogger logger) : BackgroundService
{
    protected TimeProvider Time => time;

    protected ILogger Logger => logger;

    /// <summary>What the work is, for the log ("Refresh sweep").</summary>
    protected abstract string Name { get; }

    protected abstract Task RunAsync(CancellationToken cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await RunAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, Name, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Work} failed ({Error}); trying again at the next tick")]
    private static partial void LogFailed(ILogger logger, string work, string error);
}

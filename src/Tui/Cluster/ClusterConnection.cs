using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Cluster;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Accounts.Orleans.Tui.Cluster;

/// <summary>
/// The console's Orleans client. It keeps trying to connect until the cluster answers, and a heartbeat tells the
/// screens whether it still does, so a restarting cluster shows a banner instead of errors and comes back by itself.
/// </summary>
public sealed class ClusterConnection : IAsyncDisposable
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);
    private readonly IHost _host;
    private readonly CancellationTokenSource _stopping = new();
    private Task? _start;

    private ClusterConnection(IHost host, ConsoleSettings settings)
    {
        _host = host;
        Settings = settings;
    }

    public ConsoleSettings Settings { get; }

    public IGrainFactory Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <summary>True once the client joined the cluster; calls before that fail.</summary>
    public bool Started => _start is { IsCompletedSuccessfully: true };

    /// <summary>The last answer of the heartbeat, and the problem when it had none.</summary>
    public ClusterStatus? LastStatus { get; private set; }

    public string? Problem { get; private set; } = "connecting…";

    public static ClusterConnection Create(ConsoleSettings settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseAccountsCluster(settings.Cluster, settings.Tls, settings.ApiKey);
            // An operator waits at the screen: a dead cluster must turn into a banner quickly, not a 30 s freeze.
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
            // A gateway that went away is tried again on the next refresh of the list (a minute by default).
            client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(3));
            // The client's own scheduling must not run on the UI thread. Under a context that runs posted work inline
            // (Terminal.Gui's does), a grain call made there turned the client's Task.Yield into a synchronous call: a
            // connection attempt that failed at once (the gateway was down) was stored as the pending attempt after it
            // had failed, and the client never tried that gateway again. Calls are sent from the thread pool instead.
            client.AddOutgoingGrainCallFilter(call => SynchronizationContext.Current is null ? call.Invoke() : Task.Run(call.Invoke));
            client.UseConnectionRetryFilter(async (_, cancellation) =>
            {
                await Task.Delay(RetryDelay, cancellation);
                return !cancellation.IsCancellationRequested;
            });
        });
        return new ClusterConnection(builder.Build(), settings);
    }

    /// <summary>Starts joining in the background; <see cref="CheckAsync"/> reports when it succeeded.</summary>
    public Task StartAsync() => _start ??= _host.StartAsync(_stopping.Token);

    /// <summary>Asks the cluster how it is; false (with <see cref="Problem"/>) when it cannot be reached.</summary>
    public async Task<bool> CheckAsync()
    {
        if (!Started)
        {
            Problem = _start is { IsFaulted: true } failed ? failed.Exception!.InnerException!.Message : "connecting…";
            return false;
        }
        try
        {
            LastStatus = await Grains.GetGrain<IClusterStatusGrain>(0).GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5));
            Problem = null;
            return true;
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
            Problem = e.Message.Split('\n', 2)[0];
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await _host.StopAsync(timeout.Token);
        }
        catch (Exception e) when (e is OperationCanceledException or OrleansException)
        {
            // Leaving: an unreachable cluster need not be told goodbye.
        }
        _host.Dispose();
        _stopping.Dispose();
    }
}

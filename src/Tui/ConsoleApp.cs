using Accounts.Orleans.Client;
using Accounts.Orleans.Tui.Cluster;
using Accounts.Orleans.Tui.Screens;
using Microsoft.Extensions.Configuration;
using Terminal.Gui.App;

namespace Accounts.Orleans.Tui;

/// <summary>
/// The admin console: an Orleans client of the cluster. By default it joins the embedded Host on this machine
/// (gateway 30000); <c>Accounts:Cluster:Gateways</c> or PostgreSQL membership point it at a real cluster.
/// </summary>
public static class ConsoleApp
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(3);

    public static async Task<int> RunAsync(string[] args)
    {
        var configuration = new ConfigurationBuilder()
            .AddEnvironmentVariables()
            .AddCommandLine(args)
            .Build();
        ConsoleSettings settings;
        try
        {
            settings = ConsoleSettings.From(configuration);
        }
        catch (ClusterSettingsException e)
        {
            await Console.Error.WriteLineAsync($"accounts-console: {e.Message}");
            return 1;
        }

        await using var connection = ClusterConnection.Create(settings);
        _ = connection.StartAsync();
        using IApplication app = Application.Create().Init();
        var session = new ConsoleSession(connection.Grains, settings.Operator, new TerminalModals(app));
        using var window = new MainWindow(session, new AccountsScreen(session), new AppsScreen(session), new AppRequestsScreen(session), new ClusterScreen(session, settings.Cluster.GatewaysText),
            new WebhooksScreen(session), new WebhookDeliveriesScreen(session));

        // Timeouts run on the UI thread, so the heartbeat's awaits come back to it too.
        app.AddTimeout(TimeSpan.Zero, () =>
        {
            _ = BeatAsync(connection, window);
            return false;
        });
        app.AddTimeout(Heartbeat, () =>
        {
            _ = BeatAsync(connection, window);
            return true;
        });
        using (UiSynchronizationContext.Install(app))
        {
            app.Run(window);
        }
        return 0;
    }

    private static async Task BeatAsync(ClusterConnection connection, MainWindow window)
    {
        var up = await connection.CheckAsync();
        var state = up && connection.LastStatus is { } status
            ? $"{status.Silos.Count} silo(s), {status.StorageProfile}, v{status.Version}"
            : connection.Problem ?? "unreachable";
        await window.OnClusterStateAsync(up, state);
    }
}

using Accounts.Orleans.Tui.Screens;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui;

/// <summary>
/// The admin console: an Orleans client of the cluster. By default it joins the embedded Host on this machine
/// (gateway 30000); <c>Accounts:Cluster:GatewayPort</c> and the usual cluster keys point it elsewhere.
/// </summary>
public static class ConsoleApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(args);
        builder.Logging.ClearProviders();
        var cluster = builder.Configuration.GetSection("Accounts:Cluster");
        var gatewayPort = cluster.GetValue("GatewayPort", 30000);
        builder.UseOrleansClient(client => client.UseLocalhostClustering(gatewayPort, cluster["ServiceId"] ?? "accounts", cluster["ClusterId"] ?? "accounts"));
        using var host = builder.Build();
        try
        {
            await host.StartAsync();
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"accounts-console: cannot reach the cluster on gateway port {gatewayPort}: {e.Message}");
            return 1;
        }

        using IApplication app = Application.Create().Init();
        var grains = host.Services.GetRequiredService<IGrainFactory>();
        var window = new Window { Title = "Accounts.Orleans – F2 accounts, F3 apps, Enter in a search box to search, Esc to quit" };
        var accounts = new AccountsScreen(grains);
        var apps = new AppsScreen(grains) { Visible = false };
        window.Add(accounts, apps);
        window.KeyDown += (_, key) =>
        {
            if (key != Key.F2 && key != Key.F3) return;
            accounts.Visible = key == Key.F2;
            apps.Visible = key == Key.F3;
            key.Handled = true;
        };
        _ = accounts.LoadAsync();
        _ = apps.LoadAsync();
        app.Run(window);
        window.Dispose();
        await host.StopAsync();
        return 0;
    }
}

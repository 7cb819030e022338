using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Accounts;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Hosting;

/// <summary>
/// Operator commands that run against a live cluster as an Orleans client, with the same settings as a silo:
/// <c>vault rewrap</c> (re-wrap every account under the active master key after a rotation) and
/// <c>accounts rebuild-index</c>.
/// </summary>
public static class ClusterCommands
{
    public static bool IsClusterCommand(string[] args) => args is ["vault", "rewrap", ..] or ["accounts", "rebuild-index", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args[2..], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        try
        {
            var cluster = ClusterSettings.Read(builder.Configuration);
            builder.UseOrleansClient(client =>
            {
                client.UseAccountsCluster(cluster);
                // Re-wrapping a large store takes a while.
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromHours(1));
            });
            using var host = builder.Build();
            await host.StartAsync();
            var maintenance = host.Services.GetRequiredService<IClusterClient>().GetGrain<IAccountMaintenanceGrain>(0);
            var actor = $"cli:{Environment.UserName}";
            var report = args[0] == "vault" ? await maintenance.RewrapAllAsync(actor) : await maintenance.RebuildIndexAsync(actor);
            await Console.Out.WriteLineAsync($"{args[0]} {args[1]}: {report.Done} done, {report.Skipped} skipped, {report.Failed.Count} failed{(report.Failed.Count > 0 ? ": " + string.Join(", ", report.Failed) : "")}");
            await host.StopAsync();
            return report.Failed.Count == 0 ? 0 : 1;
        }
        catch (Exception e) when (e is ClusterSettingsException or OrleansException or TimeoutException or System.Net.Sockets.SocketException)
        {
            await Console.Error.WriteLineAsync($"accounts-orleans: {args[0]} {args[1]} failed: {e.Message}");
            return 1;
        }
    }
}

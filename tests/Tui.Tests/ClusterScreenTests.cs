using Accounts.Orleans.Client;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Screens;
using Microsoft.Extensions.DependencyInjection;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The cluster screen against a real embedded Host.</summary>
public sealed class ClusterScreenTests
{
    [Fact]
    public async Task The_screen_shows_the_cluster_id_storage_profile_version_and_the_one_embedded_silo()
    {
        await using var host = await TestHost.Sqlite().With(settings => settings["Accounts:Cluster:ClusterId"] = "console-test-cluster").StartAsync();
        var cluster = host.Host.Services.GetRequiredService<ClusterSettings>();
        using var console = new ConsoleHarness(host.Grains);
        using var window = new Window();
        var screen = new ClusterScreen(console.Session, $"127.0.0.1:{cluster.GatewayPort}");
        window.Add(screen);

        await screen.LoadAsync();
        var drawn = console.Draw(window);

        Assert.Contains("Cluster: console-test-cluster", drawn, StringComparison.Ordinal);
        Assert.Contains("Storage: Sqlite", drawn, StringComparison.Ordinal);
        Assert.Matches(@"Version: \d+\.\d+", drawn);
        Assert.Contains("Silos up: 1", drawn, StringComparison.Ordinal);
        Assert.Contains($"Console: console:ops@test through 127.0.0.1:{cluster.GatewayPort}", drawn, StringComparison.Ordinal);
        var siloRows = drawn.Split('\n').Where(line => line.Contains($":{cluster.SiloPort}", StringComparison.Ordinal) && line.Contains("Active", StringComparison.Ordinal)).ToList();
        Assert.Single(siloRows);
        Assert.Contains("Updated ", drawn, StringComparison.Ordinal);
    }
}

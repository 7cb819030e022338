using System.Globalization;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>The real console binary in a pseudo-terminal (tmux) against the real Host binary, as an operator runs it.</summary>
public sealed class ConsoleSmokeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_console_binary_draws_every_screen_shows_a_banner_while_the_host_is_down_reconnects_by_itself_and_asks_before_leaving()
    {
        using var data = new TempDirectory();
        var gateway = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        var silo = FreePorts.Next();
        var environment = new Dictionary<string, string>
        {
            ["Accounts__Storage__DataDirectory"] = data.Path,
            ["Accounts__Cluster__GatewayPort"] = gateway,
        };
        var host = HostProcess.Start(environment, silo);
        try
        {
            await host.WaitHealthyAsync(Patience);
            using var terminal = TerminalSession.Start(
                new Dictionary<string, string>
                {
                    // The console finds the embedded Host's console certificate under the same data directory.
                    ["Accounts__Storage__DataDirectory"] = data.Path, ["Accounts__Cluster__GatewayPort"] = gateway, ["Accounts__Console__Operator"] = "smoke",
                },
                "dotnet", ConsoleAssembly());

            var home = await terminal.WaitForAsync("0 accounts", Patience);
            Assert.Contains("1 silo(s), Sqlite", home, StringComparison.Ordinal);
            Assert.Contains("console:smoke", home, StringComparison.Ordinal);
            Assert.Contains("F6", home, StringComparison.Ordinal);

            terminal.SendKeys("F3");
            var apps = await terminal.WaitForAsync("apps ·", Patience);
            Assert.Contains("Search apps:", apps, StringComparison.Ordinal);
            // A dialog opened after a cluster call, whose own action calls the cluster again: the console's awaits
            // must come back while it is open.
            terminal.SendKeys("-l", "gitlab");
            terminal.SendKeys("Enter");
            await terminal.WaitForAsync("1 app", Patience);
            terminal.SendKeys("F8");
            await terminal.WaitForAsync("Callback URL:", Patience);
            terminal.SendKeys("-l", "smoke-client");
            terminal.SendKeys("Tab");
            terminal.SendKeys("-l", "smoke-secret");
            terminal.SendKeys("Enter");
            var stored = await terminal.WaitForAsync("OAuth client: smoke-client, secret stored encrypted", Patience);
            Assert.DoesNotContain("smoke-secret", stored, StringComparison.Ordinal);
            terminal.SendKeys("F4");
            await terminal.WaitForAsync("0 requests", Patience);
            terminal.SendKeys("F5");
            var cluster = await terminal.WaitForAsync("Storage: Sqlite", Patience);
            Assert.Contains("Silos up: 1", cluster, StringComparison.Ordinal);
            terminal.SendKeys("F2", "F6");
            await terminal.WaitForAsync("Connect an account", Patience);
            terminal.SendKeys("Escape");
            await terminal.WaitForAsync(s => !s.Contains("Connect an account", StringComparison.Ordinal), "the dialog closed", Patience);

            host.Kill();
            await host.DisposeAsync();
            await terminal.WaitForAsync("CLUSTER UNREACHABLE", Patience);
            Assert.False(terminal.Exited);
            // Stay down through a few heartbeats: each one asks the client to connect from the console's UI thread,
            // which once wedged the client's connection to the gateway for good.
            await Task.Delay(TimeSpan.FromSeconds(8), TestContext.Current.CancellationToken);

            host = HostProcess.Start(environment, silo);
            await host.WaitHealthyAsync(Patience);
            var back = await terminal.WaitForAsync("1 silo(s), Sqlite", TimeSpan.FromSeconds(60));
            Assert.DoesNotContain("CLUSTER UNREACHABLE", back, StringComparison.Ordinal);

            terminal.SendKeys("F10");
            await terminal.WaitForAsync("Quit  Ctrl+Q", Patience);
            terminal.SendKeys("Escape");
            await terminal.WaitForAsync(s => !s.Contains("Quit  Ctrl+Q", StringComparison.Ordinal), "the menu closed", Patience);
            terminal.SendKeys("Escape");
            await terminal.WaitForAsync("Leave the console?", Patience);
            terminal.SendKeys("Enter");
            await terminal.WaitForAsync(_ => terminal.Exited, "the console exited", Patience);
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    /// <summary>
    /// The console as its own build writes it (src/Tui/bin/&lt;configuration&gt;): the copy beside the tests would load
    /// its libraries from the test's ASP.NET framework, which the console does not ship with.
    /// </summary>
    private static string ConsoleAssembly()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var configuration = testOutput.Parent!.Name;
        for (var dir = testOutput; dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "Accounts.Orleans.sln"))) continue;
            var console = Path.Combine(dir.FullName, "src", "Tui", "bin", configuration, testOutput.Name, "Accounts.Orleans.Tui.dll");
            return File.Exists(console) ? console : throw new FileNotFoundException($"The console build is missing: {console}");
        }
        throw new DirectoryNotFoundException($"No Accounts.Orleans.sln above {testOutput.FullName}.");
    }
}


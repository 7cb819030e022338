using System.Diagnostics;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>Opens an address in the operator's browser when this machine has one (not over plain SSH).</summary>
public static class Browser
{
    /// <summary>True when it started a browser; false when there is none, so the operator copies the address instead.</summary>
    public static bool TryOpen(string url)
    {
        var command = Command();
        if (command is null) return false;
        try
        {
            using var process = Process.Start(new ProcessStartInfo(command, [url])
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            });
            return process is not null;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            return false;
        }
    }

    private static string? Command()
    {
        if (Environment.GetEnvironmentVariable("BROWSER") is { Length: > 0 } browser) return browser;
        if (OperatingSystem.IsMacOS()) return "open";
        if (OperatingSystem.IsWindows()) return "explorer.exe";
        var graphical = Environment.GetEnvironmentVariable("DISPLAY") is { Length: > 0 } || Environment.GetEnvironmentVariable("WAYLAND_DISPLAY") is { Length: > 0 };
        return graphical && File.Exists("/usr/bin/xdg-open") ? "/usr/bin/xdg-open" : null;
    }
}

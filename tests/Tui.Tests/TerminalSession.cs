using System.Diagnostics;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>
/// A program in a real pseudo-terminal: a private tmux server (its own socket, so tests never touch a person's
/// sessions), keys sent as a person types them, and the screen read back as text.
/// </summary>
internal sealed class TerminalSession : IDisposable
{
    private readonly string _socket = $"accounts-test-{Guid.NewGuid():N}";

    private TerminalSession() { }

    /// <summary>Starts <paramref name="command"/> in an 80x24 terminal; the pane stays after the program ends, for its last words.</summary>
    public static TerminalSession Start(IReadOnlyDictionary<string, string> environment, params string[] command)
    {
        var session = new TerminalSession();
        var args = new List<string> { "new-session", "-d", "-s", "console", "-x", "80", "-y", "24" };
        foreach (var (key, value) in environment) args.AddRange(["-e", $"{key}={value}"]);
        args.AddRange(command);
        session.Tmux([.. args]);
        session.Tmux("set-option", "-t", "console", "remain-on-exit", "on");
        return session;
    }

    public void SendKeys(params string[] keys) => Tmux(["send-keys", "-t", "console", .. keys]);

    public string Screen() => Tmux("capture-pane", "-p", "-t", "console");

    /// <summary>True once the program has ended (its pane is dead).</summary>
    public bool Exited => Tmux("display-message", "-p", "-t", "console", "#{pane_dead}").Trim() == "1";

    /// <summary>Polls the screen until it shows <paramref name="text"/>; the last screen is in the failure message.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout) => await WaitForAsync(s => s.Contains(text, StringComparison.Ordinal), text, timeout);

    public async Task<string> WaitForAsync(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var screen = "";
        while (clock.Elapsed < timeout)
        {
            screen = Screen();
            if (condition(screen)) return screen;
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"The terminal did not show '{what}' within {timeout}. Last screen:\n{screen}");
    }

    private string Tmux(params string[] args)
    {
        var start = new ProcessStartInfo("tmux") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-L");
        start.ArgumentList.Add(_socket);
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start) ?? throw new InvalidOperationException("tmux did not start; the console smoke test needs tmux installed.");
        var output = process.StandardOutput.ReadToEnd();
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"tmux {string.Join(' ', args)} failed: {error}");
    }

    public void Dispose()
    {
        try
        {
            Tmux("kill-server");
        }
        catch (InvalidOperationException)
        {
            // Already gone with its last session.
        }
    }
}

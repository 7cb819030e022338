using System.Text.RegularExpressions;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>Reads parts of a drawn list screen (a table on the left, the details pane right of it).</summary>
internal static partial class ScreenText
{
    /// <summary>
    /// The details pane that starts with <paramref name="firstLine"/>, its word-wrapped lines joined again (runs of
    /// spaces become one), so a test can look for a whole sentence wherever the pane happened to wrap it.
    /// </summary>
    public static string DetailsPane(string screen, string firstLine)
    {
        var lines = screen.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var top = Array.FindIndex(lines, l => l.Contains(firstLine, StringComparison.Ordinal));
        if (top < 0) throw new InvalidOperationException($"No details pane starting with '{firstLine}' on this screen:\n{screen}");
        var column = lines[top].IndexOf(firstLine, StringComparison.Ordinal);
        // Each line up to the window's right border; the window's bottom border is not part of the pane.
        var pane = lines.Skip(top).Where(l => l.Length > column + 1 && !l.StartsWith('└')).Select(l => l[column..^1]);
        return Spaces().Replace(string.Join(' ', pane), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

using System.Text.RegularExpressions;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>Reads parts of a drawn list screen as an 80-column terminal shows it: the table, and the details pane under it.</summary>
internal static partial class ScreenText
{
    /// <summary>
    /// The details pane that starts with <paramref name="firstLine"/>, its word-wrapped lines joined again (runs of
    /// spaces become one), so a test can look for a whole sentence wherever the pane happened to wrap it.
    /// </summary>
    public static string DetailsPane(string screen, string firstLine)
    {
        var lines = screen.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        // The pane runs the width of the window, just inside its left border; a table row holding the same text does not.
        var top = Array.FindIndex(lines, l => l.Length > 1 && l[1..].StartsWith(firstLine, StringComparison.Ordinal));
        if (top < 0) throw new InvalidOperationException($"No details pane starting with '{firstLine}' on this screen:\n{screen}");
        // Each line inside the window's borders, down to its bottom border.
        var pane = lines.Skip(top).TakeWhile(l => !l.StartsWith('└')).Select(l => l[1..^1]);
        return Spaces().Replace(string.Join(' ', pane), " ").Trim();
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}

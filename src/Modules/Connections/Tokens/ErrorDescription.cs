using System.Text;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// Turns an app's <c>error_description</c> into text that is safe to log and show: the app writes it, so it may be
/// huge, carry control characters that forge log lines, or echo back the secret we just sent it.
/// </summary>
public static class ErrorDescription
{
    public const int MaxLength = 200;
    private const string Ellipsis = "...";

    /// <summary>The description as printable ASCII of at most <see cref="MaxLength"/> characters, or null when there is nothing safe to show.</summary>
    public static string? Sanitize(string? description, string? sentSecret)
    {
        if (string.IsNullOrEmpty(description) || Reveals(description, sentSecret))
            return null;

        var clean = new StringBuilder(Math.Min(description.Length, MaxLength + 1));
        foreach (var c in description)
        {
            // Line breaks and tabs become spaces so one description stays one log line; anything else unprintable
            // becomes '?' so a reader can see that something was there.
            var shown = PrintableText.IsPrintableAscii(c) ? c : char.IsWhiteSpace(c) ? ' ' : '?';
            if (shown == ' ' && (clean.Length == 0 || clean[^1] == ' '))
                continue;
            clean.Append(shown);
            if (clean.Length > MaxLength)
                break;
        }
        var text = clean.ToString().TrimEnd();
        if (text.Length > MaxLength)
            text = text[..(MaxLength - Ellipsis.Length)].TrimEnd() + Ellipsis;

        // Checked again: cleaning can join a secret back together (a tab becomes a space, runs of spaces collapse).
        return text.Length == 0 || Reveals(text, sentSecret) ? null : text;
    }

    private static bool Reveals(string text, string? sentSecret)
        => !string.IsNullOrEmpty(sentSecret) && text.Contains(sentSecret, StringComparison.Ordinal);
}

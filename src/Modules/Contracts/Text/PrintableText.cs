using System.Globalization;

namespace Accounts.Orleans.Contracts.Text;

/// <summary>The rules for text that callers and apps hand the service, in one place.</summary>
public static class PrintableText
{
    /// <summary>
    /// True when the text holds a control or format character (bidi overrides, zero-width marks) or a line or paragraph
    /// separator: characters that hide or rearrange what a person reads, and have no place in names and ids.
    /// </summary>
    /// <param name="allowLineBreaks">Whether a multi-line text (a note) may hold line feeds, carriage returns and tabs.</param>
    public static bool HasHiddenCharacters(string value, bool allowLineBreaks = false)
        => value.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                          && !(allowLineBreaks && c is '\n' or '\r' or '\t'));

    /// <summary>True for 1 to <paramref name="maxLength"/> characters of printable ASCII (space to '~').</summary>
    public static bool IsPrintableAscii(string? value, int maxLength)
        => value is { Length: > 0 } && value.Length <= maxLength && value.All(IsPrintableAscii);

    public static bool IsPrintableAscii(char c) => c is >= ' ' and <= '~';

    /// <summary>What someone else wrote (an app's answer, a crafted callback), kept to its printable ASCII and cut to <paramref name="maxLength"/>.</summary>
    public static string ToPrintableAscii(string value, int maxLength)
        => new([.. value.Where(IsPrintableAscii).Take(maxLength)]);
}

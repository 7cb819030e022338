using System.Globalization;
using System.Text.RegularExpressions;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Connections.Keys;

/// <summary>Checks submitted key values against the app's field rules. Messages name the field, never echo the value.</summary>
public static class KeyFieldRules
{
    private static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    /// <summary>The values, trimmed (a pasted key often carries a trailing newline), or the problems per field.</summary>
    public static (IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string[]> Errors) Check(AppDefinition app, IReadOnlyDictionary<string, string>? submitted)
    {
        submitted ??= new Dictionary<string, string>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (app.AuthType != AuthType.Keys)
        {
            errors["appSlug"] = [$"'{app.Slug}' connects with OAuth, not with keys"];
            return (values, errors);
        }
        foreach (var name in submitted.Keys.Where(k => app.Fields.All(f => f.Name != k)))
            errors[$"fields.{Clip(name)}"] = ["is not a field of this app"];

        foreach (var field in app.Fields)
        {
            var key = $"fields.{field.Name}";
            var value = submitted.GetValueOrDefault(field.Name)?.Trim();
            if (string.IsNullOrEmpty(value))
            {
                if (field.Required) errors[key] = [$"{field.Label} is required"];
                continue;
            }
            if (value.Length > field.MaxLength) errors[key] = [$"{field.Label} must be at most {field.MaxLength} characters"];
            else if (value.Any(c => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator))
                errors[key] = [$"{field.Label} must not contain control characters or line breaks"];
            else if (field.Pattern is { } pattern && !MatchesWhole(pattern, value))
                errors[key] = [$"{field.Label} does not have the expected format"];
            else values[field.Name] = value;
        }
        return (values, errors);
    }

    /// <summary>The whole value must match, whatever anchors the pattern uses ("^a|b$" must not pass "xb").</summary>
    private static bool MatchesWhole(string pattern, string value)
    {
        try
        {
            return Regex.IsMatch(value, $@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, PatternTimeout);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }

    private static string Clip(string name) => name.Length <= 64 ? name : name[..64];
}

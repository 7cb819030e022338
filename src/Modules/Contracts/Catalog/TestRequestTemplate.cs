using System.Text;
using System.Text.RegularExpressions;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// The template language of a <see cref="TestRequest"/>: <c>{{field}}</c> stands for a key field's value, and
/// <c>{{basic:user:password}}</c> for HTTP Basic credentials built from two fields. Either part may be empty, or a
/// literal in single quotes where the app fixes it: <c>{{basic:api_token:'api_token'}}</c> (Toggl),
/// <c>{{basic:api_key:'X'}}</c> (Freshdesk), <c>{{basic:'api':api_key}}</c> (Mailgun). The catalog checks templates with
/// it; the connector fills them.
/// </summary>
public static partial class TestRequestTemplate
{
    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Each placeholder in <paramref name="template"/>, as written between the braces.</summary>
    public static IEnumerable<string> Placeholders(string template) => Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The field names a placeholder reads.</summary>
    public static IEnumerable<string> FieldsOf(string placeholder)
        => placeholder.Split(':') is ["basic", var user, var password] ? new[] { user, password }.Where(p => p.Length > 0 && Literal(p) is null) : [placeholder];

    /// <summary>The template with every placeholder filled from <paramref name="values"/>, each value passed through <paramref name="escape"/>.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, Func<string, string>? escape = null)
        => Placeholder().Replace(template, m => (escape ?? (v => v))(Value(m.Groups[1].Value, values)));

    /// <summary>The template with every placeholder replaced by <paramref name="standIn"/>, to check what surrounds them.</summary>
    public static string WithStandIn(string template, string standIn) => Placeholder().Replace(template, standIn);

    private static string Value(string placeholder, IReadOnlyDictionary<string, string> values)
        => placeholder.Split(':') is ["basic", var user, var password]
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Part(user, values)}:{Part(password, values)}"))
            : values.GetValueOrDefault(placeholder, "");

    private static string Part(string part, IReadOnlyDictionary<string, string> values) => Literal(part) ?? values.GetValueOrDefault(part, "");

    /// <summary>The text of a part written <c>'like this'</c>, or null when the part names a field.</summary>
    private static string? Literal(string part) => part is ['\'', .. var text, '\''] ? text : null;
}

using System.Text;
using System.Text.RegularExpressions;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// The template language of a <see cref="TestRequest"/>: <c>{{field}}</c> stands for a key field's value, and
/// <c>{{basic:user:password}}</c> for HTTP Basic credentials built from two fields (either part may be empty, as
/// Mailgun's <c>api</c> user is implied). The catalog checks templates with it; the connector fills them.
/// </summary>
public static partial class TestRequestTemplate
{
    [GeneratedRegex(@"\{\{([^{}]*)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex Placeholder();

    /// <summary>Each placeholder in <paramref name="template"/>, as written between the braces.</summary>
    public static IEnumerable<string> Placeholders(string template) => Placeholder().Matches(template).Select(m => m.Groups[1].Value);

    /// <summary>The field names a placeholder reads.</summary>
    public static IEnumerable<string> FieldsOf(string placeholder)
        => placeholder.Split(':') is ["basic", var user, var password] ? new[] { user, password }.Where(p => p.Length > 0) : [placeholder];

    /// <summary>The template with every placeholder filled from <paramref name="values"/>, each value passed through <paramref name="escape"/>.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, Func<string, string>? escape = null)
        => Placeholder().Replace(template, m => (escape ?? (v => v))(Value(m.Groups[1].Value, values)));

    /// <summary>The template with every placeholder replaced by <paramref name="standIn"/>, to check what surrounds them.</summary>
    public static string WithStandIn(string template, string standIn) => Placeholder().Replace(template, standIn);

    private static string Value(string placeholder, IReadOnlyDictionary<string, string> values)
        => placeholder.Split(':') is ["basic", var user, var password]
            ? Convert.ToBase64String(Encoding.UTF8.GetBytes($"{values.GetValueOrDefault(user)}:{values.GetValueOrDefault(password)}"))
            : values.GetValueOrDefault(placeholder, "");
}

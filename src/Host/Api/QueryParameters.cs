using System.Globalization;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.Extensions.Primitives;

namespace Accounts.Orleans.Host.Api;

/// <summary>Reads query-string values strictly: a value given twice or of the wrong shape is an error, not a guess.</summary>
public sealed class QueryParameters(IQueryCollection query)
{
    private readonly Dictionary<string, string[]> _errors = new(StringComparer.Ordinal);

    public string? Text(string name)
    {
        var values = query[name];
        if (values.Count > 1)
        {
            _errors[name] = ["must be given at most once"];
            return null;
        }
        return StringValues.IsNullOrEmpty(values) ? null : values[0];
    }

    public int? WholeNumber(string name)
    {
        var text = Text(name);
        if (text is null) return null;
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)) return value;
        _errors[name] = ["must be a whole number"];
        return null;
    }

    /// <summary>An enum by its JSON name (e.g. <c>oauth2</c>), the way the API writes it.</summary>
    public T? Enum<T>(string name, IReadOnlyDictionary<string, T> byName) where T : struct
    {
        var text = Text(name);
        if (text is null) return null;
        if (byName.TryGetValue(text, out var value)) return value;
        _errors[name] = [$"must be one of: {string.Join(", ", byName.Keys)}"];
        return null;
    }

    /// <exception cref="CatalogValidationException">Some parameter was malformed.</exception>
    public void ThrowIfInvalid()
    {
        if (_errors.Count > 0) throw new CatalogValidationException(_errors);
    }
}

namespace Accounts.Orleans.Contracts.Validation;

/// <summary>
/// An error that names, per input field, the rules the field broke. Each module keeps its own validation exception,
/// because callers catch a module's errors by its base type; what those exceptions carry, and how it reads, is this.
/// </summary>
public interface IFieldErrors
{
    /// <summary>Messages per field name, camelCase as the API spells it (<c>fields.api_key</c> for an app's key field).</summary>
    IReadOnlyDictionary<string, string[]> Errors { get; }
}

public static class FieldErrors
{
    /// <summary>One line for an exception message: "Invalid input: nickname: too long; fields.api_key: required".</summary>
    public static string Summary(IReadOnlyDictionary<string, string[]> errors)
        => "Invalid input: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}

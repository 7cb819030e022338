namespace Accounts.Orleans.Connections.Keys;

/// <summary>Checks submitted key values against the app's field rules. Messages name the field, never echo the value.</summary>
public static class KeyFieldRules
{
    /// <summary>The values as kept (<see cref="KeyField.Normalize"/>), or the problems per field.</summary>
    public static (IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string[]> Errors) Check(AppDefinition app, IReadOnlyDictionary<string, string>? submitted)
    {
        submitted ??= new Dictionary<string, string>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!app.AuthType.TakesFields())
        {
            errors["appSlug"] = [$"'{app.Slug}' connects with OAuth, not with keys"];
            return (values, errors);
        }
        foreach (var name in submitted.Keys.Where(k => app.Fields.All(f => f.Name != k)))
            errors[$"fields.{Clip(name)}"] = ["is not a field of this app"];

        foreach (var field in app.Fields)
        {
            var value = field.Normalize(submitted.GetValueOrDefault(field.Name));
            if (field.Check(value) is { } problem) errors[$"fields.{field.Name}"] = [problem];
            else if (!string.IsNullOrEmpty(value)) values[field.Name] = value;
        }
        return (values, errors);
    }

    private static string Clip(string name) => name.Length <= 64 ? name : name[..64];
}

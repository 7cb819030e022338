namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// A value a person gives before connecting that says where the account lives: a shop, a subdomain, a region, a domain,
/// a sandbox. It fills <c>{{name}}</c> in the app's authorize, token, revoke, test-request and API URLs, and is kept with
/// the account (it is not a secret). A value that lands in a host must leave it under the app's hosts.
/// </summary>
[GenerateSerializer, Alias("catalog.connection-setting"), Immutable]
public sealed record ConnectionSetting
{
    public const int MaxLength = 253;

    [Id(0)] public required string Name { get; init; }
    [Id(1)] public required string Label { get; init; }
    /// <summary>Where the person finds the value ("the part before .myshopify.com").</summary>
    [Id(2)] public string? HelpText { get; init; }
    /// <summary>A .NET regular expression the whole value must match.</summary>
    [Id(3)] public string? Pattern { get; init; }
    /// <summary>The only values allowed, offered as a choice (a region); empty for free text.</summary>
    [Id(4)] public IReadOnlyList<string> Choices { get; init; } = [];
    /// <summary>Taken when the person gives nothing.</summary>
    [Id(5)] public string? Default { get; init; }
    [Id(6)] public bool Required { get; init; } = true;

    /// <summary>What is wrong with a value (null when it is fine), naming the setting and never echoing the value.</summary>
    public string? Check(string? value)
    {
        if (string.IsNullOrEmpty(value)) return Required && Default is null ? $"{Label} is required" : null;
        if (value.Length > MaxLength) return $"{Label} must be at most {MaxLength} characters";
        if (value.Trim().Length != value.Length || Text.PrintableText.HasHiddenCharacters(value)) return $"{Label} must be one line without surrounding spaces or hidden characters";
        if (Choices.Count > 0 && !Choices.Contains(value, StringComparer.Ordinal)) return $"{Label} must be one of: {string.Join(", ", Choices)}";
        return Pattern is { } pattern && !WholeMatch.IsMatch(pattern, value) ? $"{Label} does not have the expected format" : null;
    }
}

/// <summary>The settings a person gave for an app, checked against what the app asks.</summary>
public static class ConnectionSettings
{
    /// <summary>
    /// The values to connect with (each setting as given or its default), or null with the problems keyed
    /// <c>settings.{name}</c>: a missing or malformed value, or a name the app does not ask for.
    /// </summary>
    public static Dictionary<string, string>? Read(AppDefinition app, IReadOnlyDictionary<string, string>? given, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(app);
        given ??= new Dictionary<string, string>();
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(n => !app.Settings.Any(s => s.Name == n)).Take(5))
            errors[$"settings.{(name.Length <= 64 && !Text.PrintableText.HasHiddenCharacters(name) ? name : "?")}"] = [$"{app.Name} asks for no such setting"];
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var setting in app.Settings)
        {
            var value = given.GetValueOrDefault(setting.Name);
            if (setting.Check(value) is { } problem) errors[$"settings.{setting.Name}"] = [problem];
            else if (!string.IsNullOrEmpty(value)) values[setting.Name] = value;
            else if (setting.Default is { } fallback) values[setting.Name] = fallback;
        }
        return errors.Count == 0 ? values : null;
    }
}

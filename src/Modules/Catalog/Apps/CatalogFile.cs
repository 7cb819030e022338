using System.Text.Json;
using System.Text.Json.Serialization;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>
/// The catalog file format: <c>{ "formatVersion": 1, "apps": [ … ] }</c>, camelCase, the shape of
/// <see cref="AppDefinition"/>. The shipped seed and an operator's override file both use it.
/// </summary>
public static class CatalogFile
{
    public const int FormatVersion = 1;

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // An operator's typo ("authorizeURL") must fail loudly, not silently drop the endpoint.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    private sealed record Document(int FormatVersion, IReadOnlyList<AppDefinition> Apps);

    /// <exception cref="CatalogFileException">The text is not a valid catalog file; the message says where.</exception>
    public static IReadOnlyList<AppDefinition> Parse(string json, string source, bool allowLoopbackHttp = false)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CatalogFileException($"{source}: {e.Message}");
        }
        if (document is null || document.Apps is null)
            throw new CatalogFileException($"{source}: expected an object with \"formatVersion\" and \"apps\"");
        if (document.FormatVersion != FormatVersion)
            throw new CatalogFileException($"{source}: formatVersion {document.FormatVersion} is not supported (expected {FormatVersion})");

        var problems = new List<string>();
        for (var i = 0; i < document.Apps.Count; i++)
        {
            var app = document.Apps[i];
            if (app is null)
            {
                problems.Add($"apps[{i}]: is null");
                continue;
            }
            foreach (var (key, messages) in AppDefinitionRules.Validate(app, allowLoopbackHttp))
                problems.Add($"apps[{i}] ({app.Slug}).{key}: {string.Join(" ", messages)}");
        }
        problems.AddRange(CatalogComposition.FindNameClashes(document.Apps.Where(a => a is not null)));
        if (problems.Count > 0)
            throw new CatalogFileException($"{source}: {problems.Count} problem(s): {string.Join("; ", problems.Take(20))}");
        return document.Apps;
    }

    public static string Write(IEnumerable<AppDefinition> apps)
        => JsonSerializer.Serialize(new Document(FormatVersion, apps.ToList()), JsonOptions);
}

public sealed class CatalogFileException(string message) : Exception(message);

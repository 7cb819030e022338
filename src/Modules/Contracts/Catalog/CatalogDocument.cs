using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>
/// The catalog file format: <c>{ "formatVersion": 1, "apps": [ … ] }</c>, camelCase, the shape of
/// <see cref="AppDefinition"/>. The shipped seed, an operator's override file and the console's import and export
/// all use it; whether the apps in it are valid is the catalog's rules' business.
/// </summary>
public static class CatalogDocument
{
    public const int FormatVersion = 1;

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // An operator's typo ("authorizeURL") must fail loudly, not silently drop the endpoint.
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        // Nor may a second "tokenUrl" quietly replace the first one a reviewer read.
        AllowDuplicateProperties = false,
        PropertyNameCaseInsensitive = false,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    private sealed record Document(int FormatVersion, IReadOnlyList<AppDefinition> Apps);

    /// <summary>The apps of a catalog file; the message of a <see cref="FormatException"/> says where it is wrong.</summary>
    /// <exception cref="FormatException">The text is not a catalog file of a supported version.</exception>
    public static IReadOnlyList<AppDefinition> Read(string json)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new FormatException(e.Message, e);
        }
        if (document?.Apps is null) throw new FormatException("expected an object with \"formatVersion\" and \"apps\"");
        if (document.FormatVersion != FormatVersion)
            throw new FormatException($"formatVersion {document.FormatVersion} is not supported (expected {FormatVersion})");
        for (var i = 0; i < document.Apps.Count; i++)
        {
            if (document.Apps[i] is null) throw new FormatException($"apps[{i}]: is null");
        }
        return document.Apps;
    }

    public static string Write(IEnumerable<AppDefinition> apps) => JsonSerializer.Serialize(new Document(FormatVersion, [.. apps]), JsonOptions);
}

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>Reads a catalog file (<see cref="CatalogDocument"/>) and checks every app in it against the catalog's rules.</summary>
public static class CatalogFile
{
    /// <exception cref="CatalogFileException">The text is not a valid catalog file; the message says where.</exception>
    public static IReadOnlyList<AppDefinition> Parse(string json, string source, bool allowLoopbackHttp = false)
    {
        IReadOnlyList<AppDefinition> apps;
        try
        {
            apps = CatalogDocument.Read(json);
        }
        catch (FormatException e)
        {
            throw new CatalogFileException($"{source}: {e.Message}");
        }

        var problems = new List<string>();
        for (var i = 0; i < apps.Count; i++)
        {
            foreach (var (key, messages) in AppDefinitionRules.Validate(apps[i], allowLoopbackHttp))
                problems.Add($"apps[{i}] ({apps[i].Slug}).{key}: {string.Join(" ", messages)}");
        }
        problems.AddRange(CatalogComposition.FindNameClashes(apps));
        if (problems.Count > 0)
            throw new CatalogFileException($"{source}: {problems.Count} problem(s): {string.Join("; ", problems.Take(20))}");
        return apps;
    }

    public static string Write(IEnumerable<AppDefinition> apps) => CatalogDocument.Write(apps);
}

public sealed class CatalogFileException(string message) : Exception(message);

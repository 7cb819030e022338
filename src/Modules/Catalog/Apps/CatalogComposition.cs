using System.Collections.Frozen;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>
/// The effective catalog: shipped apps, overridden by the operator's file, overridden by changes made
/// through the catalog grain. An operator's disable / enable decision beats what a definition says; disabled
/// apps are marked, never dropped, so existing accounts keep resolving.
/// </summary>
public sealed class CatalogComposition
{
    private readonly FrozenDictionary<string, AppDefinition> _bySlugOrAlias;

    private CatalogComposition(long revision, IReadOnlyList<AppDefinition> apps)
    {
        Revision = revision;
        Apps = apps;
        var lookup = new Dictionary<string, AppDefinition>(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            lookup[app.Slug] = app;
        }
        // Aliases never shadow a real slug.
        foreach (var app in apps)
        {
            foreach (var alias in app.Aliases) lookup.TryAdd(alias, app);
        }
        _bySlugOrAlias = lookup.ToFrozenDictionary(StringComparer.Ordinal);
        SearchText = apps.Select(a => string.Join('\n', a.Aliases.Prepend(a.Description ?? "").Prepend(a.Name).Prepend(a.Slug)).ToLowerInvariant()).ToArray();
        Words = apps.Select(a => a.Name.ToLowerInvariant().Split(WordBreaks, StringSplitOptions.RemoveEmptyEntries)
            .Prepend(a.Name.ToLowerInvariant()).Prepend(a.Slug).Concat(a.Aliases).Distinct(StringComparer.Ordinal).ToArray()).ToArray();
    }

    private static readonly char[] WordBreaks = [' ', '-', '.', '(', ')', '/', '&', ','];

    public long Revision { get; }

    /// <summary>All apps, disabled ones included, ordered by slug (the paging key).</summary>
    public IReadOnlyList<AppDefinition> Apps { get; }

    /// <summary>Per app (same index as <see cref="Apps"/>): slug, name, description and aliases, lower-cased once for search.</summary>
    public IReadOnlyList<string> SearchText { get; }

    /// <summary>
    /// Per app: its slug, aliases, whole name and each word of the name, lower-cased. A search whose text starts one of
    /// them is looking for that app by name; matches in a description come after.
    /// </summary>
    public IReadOnlyList<string[]> Words { get; }

    /// <summary>Index of the first app whose slug sorts after <paramref name="slug"/>.</summary>
    public int IndexAfter(string slug)
    {
        int low = 0, high = Apps.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (string.CompareOrdinal(Apps[middle].Slug, slug) <= 0) low = middle + 1;
            else high = middle;
        }
        return low;
    }

    public static CatalogComposition Compose(
        long revision,
        IEnumerable<AppDefinition> shipped,
        IEnumerable<AppDefinition> operatorFile,
        IEnumerable<AppDefinition> operatorChanges,
        IReadOnlyDictionary<string, bool> disabledByOperator)
    {
        var bySlug = new Dictionary<string, AppDefinition>(StringComparer.Ordinal);
        foreach (var app in shipped.Concat(operatorFile).Concat(operatorChanges)) bySlug[app.Slug] = app;
        var apps = bySlug.Values
            .Select(a => disabledByOperator.TryGetValue(a.Slug, out var disabled) && disabled != a.Disabled ? a with { Disabled = disabled } : a)
            .OrderBy(a => a.Slug, StringComparer.Ordinal)
            .ToArray();
        return new CatalogComposition(revision, apps);
    }

    public static CatalogComposition FromSnapshot(CatalogSnapshot snapshot) => new(snapshot.Revision, snapshot.Apps);

    public CatalogSnapshot ToSnapshot() => new(Revision, Apps);

    public AppDefinition? Find(string slugOrAlias) => _bySlugOrAlias.GetValueOrDefault(slugOrAlias);

    /// <summary>Slugs and aliases that would resolve to two different apps.</summary>
    public static IEnumerable<string> FindNameClashes(IEnumerable<AppDefinition> apps)
    {
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var app in apps)
        {
            foreach (var name in app.Aliases.Prepend(app.Slug))
            {
                if (owners.TryGetValue(name, out var owner) && owner != app.Slug)
                    yield return $"'{name}' names both '{owner}' and '{app.Slug}'";
                else if (owners.TryGetValue(name, out _) && name == app.Slug)
                    yield return $"slug '{name}' appears twice";
                else owners[name] = app.Slug;
            }
        }
    }
}

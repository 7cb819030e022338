using Accounts.Orleans.Contracts.Paging;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>
/// Filters the catalog and pages it by slug (keyset: a cursor is the last slug of the previous page). A text search
/// lists the apps it names first (slug, alias or a word of the name starts with the text: "slack" finds Slack before
/// incident.io, whose description mentions Slack), then the other matches; each group is in slug order and the cursor
/// says which group it stopped in.
/// </summary>
public static class AppSearch
{
    public const int MaxTextLength = 200;
    /// <summary>The cursor of the apps a search names, and of every listing without text (one group).</summary>
    private const string NamedPrefix = "a1:";
    private const string OtherPrefix = "a2:";

    /// <exception cref="CatalogValidationException">The query is out of range or the cursor is not one we issued.</exception>
    public static AppPage Run(CatalogComposition catalog, AppQuery query)
    {
        var (afterGroup, afterSlug) = Check(query);
        var text = query.Text?.Trim().ToLowerInvariant();
        var groups = string.IsNullOrEmpty(text) ? 1 : 2;
        var matches = new List<AppDefinition>(Math.Min(query.Limit + 1, catalog.Apps.Count));
        var firstOther = afterGroup == 0 ? int.MaxValue : 0;  // where the second group starts in this page
        for (var group = afterGroup; group < groups && matches.Count <= query.Limit; group++)
        {
            if (group == 1) firstOther = Math.Min(firstOther, matches.Count);
            var start = group == afterGroup && afterSlug is not null ? catalog.IndexAfter(afterSlug) : 0;
            for (var i = start; i < catalog.Apps.Count && matches.Count <= query.Limit; i++)
            {
                var app = catalog.Apps[i];
                if (app.Disabled) continue;
                if (query.AuthType is { } auth && app.AuthType != auth) continue;
                if (query.Category is { } category && !app.Categories.Contains(category, StringComparer.Ordinal)) continue;
                if (!string.IsNullOrEmpty(text))
                {
                    if (!catalog.SearchText[i].Contains(text, StringComparison.Ordinal) && !app.Categories.Contains(text, StringComparer.Ordinal)) continue;
                    if (Names(catalog.Words[i], text) != (group == 0)) continue;
                }
                matches.Add(app);
            }
        }

        var hasMore = matches.Count > query.Limit;
        if (hasMore) matches.RemoveAt(matches.Count - 1);
        return new AppPage(matches, hasMore ? EncodeCursor(matches[^1].Slug, matches.Count - 1 >= firstOther ? 1 : 0) : null);
    }

    private static bool Names(string[] words, string text)
    {
        foreach (var word in words)
        {
            if (word.StartsWith(text, StringComparison.Ordinal)) return true;
        }
        return false;
    }

    private static (int Group, string? Slug) Check(AppQuery query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > AppQuery.MaxLimit) errors["limit"] = [$"must be between 1 and {AppQuery.MaxLimit}"];
        if (query.AtLeastRevision < 0) errors["atLeastRevision"] = ["must be zero or a revision a catalog change returned"];
        if (query.Text is { Length: > MaxTextLength }) errors["q"] = [$"must be at most {MaxTextLength} characters"];
        if (query.Category is { } category && !AppCategories.Known.Contains(category))
            errors["category"] = [$"must be one of: {string.Join(", ", AppCategories.Known)}"];
        (int, string?) after = (0, null);
        if (query.Cursor is { } cursor && !TryDecodeCursor(cursor, out after))
            errors["cursor"] = ["is not a cursor this service issued"];
        if (errors.Count > 0) throw new CatalogValidationException(errors);
        return after;
    }

    public static string EncodeCursor(string lastSlug, int group = 0) => KeysetCursor.Encode(group == 0 ? NamedPrefix : OtherPrefix, lastSlug);

    private static bool TryDecodeCursor(string cursor, out (int Group, string? Slug) after)
    {
        var group = KeysetCursor.TryDecode(cursor, NamedPrefix, out var slug) ? 0 : KeysetCursor.TryDecode(cursor, OtherPrefix, out slug) ? 1 : -1;
        after = (Math.Max(group, 0), group < 0 ? null : slug);
        return group >= 0 && AppSlug.IsValid(slug);
    }
}

using System.Buffers.Text;
using System.Text;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>Filters the catalog and pages it by slug (keyset: a cursor is the last slug of the previous page).</summary>
public static class AppSearch
{
    public const int MaxTextLength = 200;
    private const string CursorPrefix = "a1:";

    /// <exception cref="CatalogValidationException">The query is out of range or the cursor is not one we issued.</exception>
    public static AppPage Run(CatalogComposition catalog, AppQuery query)
    {
        var after = Check(query);
        var text = query.Text?.Trim().ToLowerInvariant();
        var matches = new List<AppDefinition>(Math.Min(query.Limit + 1, catalog.Apps.Count));
        for (var i = after is null ? 0 : catalog.IndexAfter(after); i < catalog.Apps.Count && matches.Count <= query.Limit; i++)
        {
            var app = catalog.Apps[i];
            if (app.Disabled) continue;
            if (query.AuthType is { } auth && app.AuthType != auth) continue;
            if (query.Category is { } category && !app.Categories.Contains(category, StringComparer.Ordinal)) continue;
            if (!string.IsNullOrEmpty(text) && !catalog.SearchText[i].Contains(text, StringComparison.Ordinal)
                && !app.Categories.Contains(text, StringComparer.Ordinal)) continue;
            matches.Add(app);
        }

        var hasMore = matches.Count > query.Limit;
        if (hasMore) matches.RemoveAt(matches.Count - 1);
        return new AppPage(matches, hasMore ? EncodeCursor(matches[^1].Slug) : null);
    }

    private static string? Check(AppQuery query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > AppQuery.MaxLimit) errors["limit"] = [$"must be between 1 and {AppQuery.MaxLimit}"];
        if (query.Text is { Length: > MaxTextLength }) errors["q"] = [$"must be at most {MaxTextLength} characters"];
        if (query.Category is { } category && !AppCategories.Known.Contains(category))
            errors["category"] = [$"must be one of: {string.Join(", ", AppCategories.Known)}"];
        string? after = null;
        if (query.Cursor is { } cursor && !TryDecodeCursor(cursor, out after))
            errors["cursor"] = ["is not a cursor this service issued"];
        if (errors.Count > 0) throw new CatalogValidationException(errors);
        return after;
    }

    public static string EncodeCursor(string lastSlug) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(CursorPrefix + lastSlug));

    private static bool TryDecodeCursor(string cursor, out string? lastSlug)
    {
        lastSlug = null;
        if (cursor.Length > 200 || !Base64Url.IsValid(cursor)) return false;
        Span<byte> bytes = stackalloc byte[200];
        if (!Base64Url.TryDecodeFromChars(cursor, bytes, out var written)) return false;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, true).GetString(bytes[..written]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        if (!decoded.StartsWith(CursorPrefix, StringComparison.Ordinal)) return false;
        lastSlug = decoded[CursorPrefix.Length..];
        return AppDefinitionRules.SlugPattern().IsMatch(lastSlug);
    }
}

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>An app's slug: its id in the catalog, in URLs, in configuration keys and in every account.</summary>
public static class AppSlug
{
    public const int MaxLength = 64;
    public const string Rule = "must be 2-64 characters of a-z, 0-9 and _, starting with a letter";

    public static bool IsValid(string? slug)
        => slug is { Length: >= 2 and <= MaxLength } && char.IsAsciiLetterLower(slug[0]) && slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
}

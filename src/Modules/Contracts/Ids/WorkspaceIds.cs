namespace Accounts.Orleans.Contracts.Ids;

/// <summary>
/// A workspace id is the tenant boundary, compared byte for byte: one tenant must have exactly one spelling. So an id
/// whose form can vary is refused rather than quietly normalised, and the simplest alphabet with no lookalikes is the
/// rule: visible ASCII only. No whitespace (a trailing no-break space), no control or format characters, no full-width
/// letters, ligatures or lone surrogates that print like, or encode to, another id.
/// </summary>
public static class WorkspaceIds
{
    public const int MaxLength = 128;
    public const string Rule = "must be 1-128 visible ASCII characters (no spaces)";

    public static bool IsValid(string? value) => value is { Length: > 0 and <= MaxLength } && value.All(c => c is > ' ' and <= '~');
}

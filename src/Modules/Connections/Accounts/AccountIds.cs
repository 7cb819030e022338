using Accounts.Orleans.Contracts.Ids;

namespace Accounts.Orleans.Connections;

/// <summary>Account ids: <c>acct_</c> + a lower-case ULID, so they sort by creation time (the index pages by id).</summary>
public static class AccountIds
{
    public const string Prefix = "acct_";
    public const string Rule = "is not an account id (acct_ followed by a ULID)";

    public static string New(TimeProvider time) => TimeOrderedId.New(Prefix, time);

    public static bool IsValid(string? id) => TimeOrderedId.IsValid(id, Prefix);
}

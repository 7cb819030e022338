using System.Security.Cryptography;

namespace Accounts.Orleans.Connections;

/// <summary>Account ids: <c>acct_</c> + a lower-case ULID, so they sort by creation time (the index pages by id).</summary>
public static class AccountIds
{
    public const string Prefix = "acct_";
    public const string Rule = "is not an account id (acct_ followed by a ULID)";

    public static string New(TimeProvider time)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return Prefix + Ulid.NewUlid(time.GetUtcNow(), random).ToString().ToLowerInvariant();
    }

    public static bool IsValid(string? id)
        => id is { Length: 31 } && id.StartsWith(Prefix, StringComparison.Ordinal) && Ulid.TryParse(id.AsSpan(Prefix.Length), out _);
}

using System.Security.Cryptography;

namespace Accounts.Orleans.Contracts.Ids;

/// <summary>
/// Ids of the service's records (<c>acct_</c>…, <c>req_</c>…): a prefix and a lower-case ULID, so they sort by when
/// they were made (lists page by id) and hold 80 random bits.
/// </summary>
public static class TimeOrderedId
{
    private const int UlidLength = 26;

    public static string New(string prefix, TimeProvider time)
    {
        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        return prefix + Ulid.NewUlid(time.GetUtcNow(), random).ToString().ToLowerInvariant();
    }

    public static bool IsValid(string? id, string prefix)
        => id is not null && id.Length == prefix.Length + UlidLength && id.StartsWith(prefix, StringComparison.Ordinal)
           && Ulid.TryParse(id.AsSpan(prefix.Length), out _);
}

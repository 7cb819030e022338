using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Access.Keys;

/// <summary>
/// The text of an API key: <c>aok_</c>, a 12-character id the service looks the key up by, <c>_</c>, and 256 random bits.
/// Only a SHA-256 of the random part is stored: the part is random enough that a slow hash adds nothing, and a lookup
/// by id keeps the check to one hash and one constant-time compare.
/// </summary>
public static class ApiKeySecret
{
    private const int IdLength = 12;
    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public static (string Id, string Key, byte[] Hash) Generate()
    {
        var id = RandomNumberGenerator.GetString(IdAlphabet, IdLength);
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (id, $"{ApiKeyContext.Prefix}{id}_{secret}", Hash(secret));
    }

    /// <summary>The id and secret of a key in our format; false for anything else, without saying why.</summary>
    public static bool TryParse(string? key, out string id, out string secret)
    {
        id = secret = "";
        if (key is null || key.Length != ApiKeyContext.Prefix.Length + IdLength + 1 + 43 || !key.StartsWith(ApiKeyContext.Prefix, StringComparison.Ordinal)) return false;
        var rest = key.AsSpan(ApiKeyContext.Prefix.Length);
        if (rest[IdLength] != '_') return false;
        foreach (var c in rest[..IdLength]) if (!IdAlphabet.Contains(c)) return false;
        id = rest[..IdLength].ToString();
        secret = rest[(IdLength + 1)..].ToString();
        return true;
    }

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    /// <summary>Whether <paramref name="secret"/> hashes to <paramref name="hash"/>, in time that does not depend on where they differ.</summary>
    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);

    /// <summary>What a listing shows of a key: its prefix and id, enough to recognise it, nothing that opens anything.</summary>
    public static string Display(string id) => $"{ApiKeyContext.Prefix}{id}_…";

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Contracts.Ids;

namespace Accounts.Orleans.Connections;

/// <summary>
/// Connect sessions and their tokens. A session id is <c>cs_</c> + ULID; its token is <c>cst_</c>, the same ULID, <c>_</c>
/// and 256 random bits, so the page finds the session from the token alone. Only a SHA-256 of the random part is
/// stored, compared in constant time.
/// </summary>
public static class ConnectTokens
{
    public const string SessionPrefix = "cs_";
    public const string TokenPrefix = "cst_";
    private const int UlidLength = 26;
    private const int SecretLength = 43;

    public static bool IsSessionId(string? id) => TimeOrderedId.IsValid(id, SessionPrefix);

    public static (string Token, byte[] Hash) New(string sessionId)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return ($"{TokenPrefix}{sessionId[SessionPrefix.Length..]}_{secret}", Hash(secret));
    }

    /// <summary>The session a token names and its secret; false for anything not shaped like one of ours.</summary>
    public static bool TryParse(string? token, out string sessionId, out string secret)
    {
        sessionId = secret = "";
        if (token is null || token.Length != TokenPrefix.Length + UlidLength + 1 + SecretLength || !token.StartsWith(TokenPrefix, StringComparison.Ordinal)) return false;
        var rest = token[TokenPrefix.Length..];
        if (rest[UlidLength] != '_') return false;
        var id = SessionPrefix + rest[..UlidLength];
        if (!IsSessionId(id)) return false;
        sessionId = id;
        secret = rest[(UlidLength + 1)..];
        return true;
    }

    public static bool Matches(string secret, byte[] hash) => CryptographicOperations.FixedTimeEquals(Hash(secret), hash);

    private static byte[] Hash(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));
}

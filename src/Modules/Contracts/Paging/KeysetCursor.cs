using System.Buffers.Text;
using System.Text;

namespace Accounts.Orleans.Contracts.Paging;

/// <summary>
/// The <c>next</c> of a keyset-paged list: where the previous page stopped (its last key), behind a prefix that says
/// which list issued it, in base64url so it travels in a URL unchanged. Opaque to callers; a cursor this service did not
/// issue (another prefix, too long, not UTF-8) is refused, never guessed at.
/// </summary>
public static class KeysetCursor
{
    public const int MaxLength = 200;

    public static string Encode(string prefix, string lastKey) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(prefix + lastKey));

    /// <summary>The last key of the page the cursor continues, when it carries <paramref name="prefix"/>.</summary>
    public static bool TryDecode(string? cursor, string prefix, out string lastKey)
    {
        lastKey = "";
        if (cursor is null || cursor.Length > MaxLength || !Base64Url.IsValid(cursor)) return false;
        Span<byte> bytes = stackalloc byte[MaxLength];
        if (!Base64Url.TryDecodeFromChars(cursor, bytes, out var written)) return false;
        string decoded;
        try
        {
            decoded = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes[..written]);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        if (!decoded.StartsWith(prefix, StringComparison.Ordinal)) return false;
        lastKey = decoded[prefix.Length..];
        return true;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Accounts.Orleans.Vault.Envelopes;

/// <summary>
/// Whose secret an envelope holds. It is authenticated (not encrypted) with the data, so an envelope copied to
/// another account's row, or another workspace, fails to open.
/// </summary>
public readonly record struct CredentialBinding(string WorkspaceId, string AccountId)
{
    /// <summary>Authenticates the data itself; independent of the master key, so a re-wrap leaves the data untouched.</summary>
    internal byte[] ForData() => Encode("data", "");

    /// <summary>Authenticates a wrapped data key to both its owner and the master key that wrapped it.</summary>
    internal byte[] ForDataKey(string masterKeyId) => Encode("data-key", masterKeyId);

    /// <summary>Length-prefixed fields, so ("ab", "c") and ("a", "bc") never produce the same bytes.</summary>
    private byte[] Encode(string purpose, string keyId)
    {
        var parts = new[] { "accounts-vault/v1", purpose, keyId, WorkspaceId, AccountId };
        var buffer = new List<byte>(128);
        Span<byte> length = stackalloc byte[4];
        foreach (var part in parts)
        {
            var bytes = Encoding.UTF8.GetBytes(part);
            BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
            buffer.AddRange(length.ToArray());
            buffer.AddRange(bytes);
        }
        return buffer.ToArray();
    }
}

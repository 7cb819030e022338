using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>
/// Tags that only processes holding the master key ring can make: every silo of a cluster shares the ring, no client
/// does. A tag names the master key it was derived from, so silos restarted one by one onto a rotated ring still
/// accept each other's tags while both keys are in the ring.
/// </summary>
public sealed class ClusterMac(IKeyRingSource ring)
{
    private readonly ConcurrentDictionary<(string KeyId, string Purpose), byte[]> _keys = new();

    /// <exception cref="Envelopes.CredentialEnvelopeException">No key ring is loaded.</exception>
    public string Sign(string purpose, string value)
    {
        var master = ring.Current.Active;
        return $"{master.Id}.{Convert.ToBase64String(Tag(master, purpose, value))}";
    }

    /// <summary>Whether <paramref name="tag"/> was made by <see cref="Sign"/> for this purpose and value with a key of the ring.</summary>
    public bool Verify(string purpose, string value, string tag)
    {
        var dot = tag.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0) return false;
        if (ring.Current.Find(tag[..dot]) is not { } master) return false;
        Span<byte> given = stackalloc byte[32];
        return Convert.TryFromBase64String(tag[(dot + 1)..], given, out var length) && length == 32
            && CryptographicOperations.FixedTimeEquals(given, Tag(master, purpose, value));
    }

    private byte[] Tag(MasterKey master, string purpose, string value)
    {
        var key = _keys.GetOrAdd((master.Id, purpose), k => HKDF.DeriveKey(HashAlgorithmName.SHA256, master.Material.ToArray(), 32,
            info: Encoding.UTF8.GetBytes($"accounts-orleans/cluster-mac/{k.Purpose}")));
        return HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(value));
    }
}

using System.Security.Cryptography;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>A 256-bit key-encryption key. It only ever wraps data keys; it never touches a credential directly.</summary>
public sealed class MasterKey
{
    public const int Length = 32;
    public const int MaxIdLength = 64;

    private readonly byte[] _material;

    /// <exception cref="ArgumentException">The id is malformed or the material is not exactly 32 bytes.</exception>
    public MasterKey(string id, ReadOnlySpan<byte> material, DateTimeOffset createdAt)
    {
        if (!IsValidId(id)) throw new ArgumentException($"A master key id is 1-{MaxIdLength} characters of letters, digits, '-' and '_'.", nameof(id));
        if (material.Length != Length) throw new ArgumentException($"A master key is exactly {Length} bytes; this one has {material.Length}.", nameof(material));
        Id = id;
        CreatedAt = createdAt;
        _material = material.ToArray();
    }

    public string Id { get; }

    public DateTimeOffset CreatedAt { get; }

    internal ReadOnlySpan<byte> Material => _material;

    public static MasterKey Generate(TimeProvider time)
    {
        var now = time.GetUtcNow();
        var id = $"mk-{now:yyyyMMdd}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        return new MasterKey(id, RandomNumberGenerator.GetBytes(Length), now);
    }

    internal byte[] ExportMaterial() => _material.ToArray();

    public static bool IsValidId(string? id)
        => id is { Length: > 0 and <= MaxIdLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>Never the material: a key can end up in a log by accident, its bytes must not.</summary>
    public override string ToString() => $"MasterKey({Id})";
}

namespace Accounts.Orleans.Vault.Keys;

/// <summary>Where the current key ring comes from; a rotation replaces it for every later seal.</summary>
public interface IKeyRingSource
{
    KeyRing Current { get; }
}

/// <summary>A ring held in memory, replaced atomically.</summary>
public sealed class KeyRingHolder(KeyRing ring) : IKeyRingSource
{
    private KeyRing _ring = ring;

    public KeyRing Current => Volatile.Read(ref _ring);

    public void Replace(KeyRing ring) => Volatile.Write(ref _ring, ring);
}

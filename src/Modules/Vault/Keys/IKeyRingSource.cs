using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>Where the current key ring comes from; a rotation replaces it for every later seal.</summary>
public interface IKeyRingSource
{
    /// <exception cref="CredentialEnvelopeException">No key ring is loaded: credential work fails closed.</exception>
    KeyRing Current { get; }
}

/// <summary>A ring held in memory, replaced atomically; until one is loaded every credential operation fails closed.</summary>
public sealed class KeyRingHolder : IKeyRingSource
{
    private KeyRing? _ring;

    public KeyRingHolder()
    {
    }

    public KeyRingHolder(KeyRing ring) => _ring = ring;

    public KeyRing Current => Volatile.Read(ref _ring)
        ?? throw new CredentialEnvelopeException("No master key ring is loaded, so no credentials can be sealed or opened.");

    public void Replace(KeyRing ring) => Volatile.Write(ref _ring, ring);
}

using System.Security.Cryptography;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Vault.Envelopes;

/// <summary>
/// Envelope encryption with AES-256-GCM: every seal draws a fresh data key, encrypts the secret with it, and wraps
/// the data key under the ring's active master key. Both layers authenticate the owner (<see cref="CredentialBinding"/>).
/// </summary>
public sealed class EnvelopeCipher(IKeyRingSource keys)
{
    /// <summary>The master key new seals use.</summary>
    public string ActiveKeyId => keys.Current.Active.Id;

    public byte[] Seal(ReadOnlySpan<byte> plaintext, CredentialBinding binding)
    {
        var master = keys.Current.Active;
        var dataKey = RandomNumberGenerator.GetBytes(Envelope.DataKeyLength);
        try
        {
            var (dataKeyNonce, wrapped, dataKeyTag) = Encrypt(master.Material, dataKey, binding.ForDataKey(master.Id));
            var (nonce, ciphertext, tag) = Encrypt(dataKey, plaintext, binding.ForData());
            return new Envelope(master.Id, dataKeyNonce, wrapped, dataKeyTag, nonce, ciphertext, tag).ToBytes();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <exception cref="CredentialEnvelopeException">Tampered, moved, or sealed under an unknown master key.</exception>
    public byte[] Open(ReadOnlySpan<byte> sealedBytes, CredentialBinding binding)
    {
        var envelope = Envelope.Parse(sealedBytes);
        var dataKey = UnwrapDataKey(envelope, binding);
        try
        {
            return Decrypt(dataKey, envelope.Nonce, envelope.Ciphertext, envelope.Tag, binding.ForData(), "The stored credentials do not belong to this account or were altered.");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The same secret with its data key wrapped under the active master key; the data itself is not re-encrypted.</summary>
    /// <exception cref="CredentialEnvelopeException">The envelope cannot be opened.</exception>
    public byte[] Rewrap(ReadOnlySpan<byte> sealedBytes, CredentialBinding binding)
    {
        var envelope = Envelope.Parse(sealedBytes);
        var master = keys.Current.Active;
        if (envelope.MasterKeyId == master.Id) return sealedBytes.ToArray();
        var dataKey = UnwrapDataKey(envelope, binding);
        try
        {
            var (dataKeyNonce, wrapped, dataKeyTag) = Encrypt(master.Material, dataKey, binding.ForDataKey(master.Id));
            return (envelope with { MasterKeyId = master.Id, DataKeyNonce = dataKeyNonce, WrappedDataKey = wrapped, DataKeyTag = dataKeyTag }).ToBytes();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>The master key an envelope's data key is wrapped under.</summary>
    /// <exception cref="CredentialEnvelopeException">The bytes are not an envelope.</exception>
    public static string MasterKeyIdOf(ReadOnlySpan<byte> sealedBytes) => Envelope.Parse(sealedBytes).MasterKeyId;

    private byte[] UnwrapDataKey(Envelope envelope, CredentialBinding binding)
    {
        var master = keys.Current.Find(envelope.MasterKeyId)
            ?? throw new CredentialEnvelopeException($"The stored credentials are sealed under master key '{envelope.MasterKeyId}', which is not in this deployment's key ring.");
        return Decrypt(master.Material, envelope.DataKeyNonce, envelope.WrappedDataKey, envelope.DataKeyTag, binding.ForDataKey(master.Id),
            "The stored credentials do not belong to this account, were altered, or the master key is wrong.");
    }

    private static (byte[] Nonce, byte[] Ciphertext, byte[] Tag) Encrypt(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, byte[] associatedData)
    {
        var nonce = RandomNumberGenerator.GetBytes(Envelope.NonceLength);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[Envelope.TagLength];
        using var aes = new AesGcm(key, Envelope.TagLength);
        aes.Encrypt(nonce, plaintext, ciphertext, tag, associatedData);
        return (nonce, ciphertext, tag);
    }

    private static byte[] Decrypt(ReadOnlySpan<byte> key, byte[] nonce, byte[] ciphertext, byte[] tag, byte[] associatedData, string failure)
    {
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using var aes = new AesGcm(key, Envelope.TagLength);
            aes.Decrypt(nonce, ciphertext, tag, plaintext, associatedData);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException e)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            throw new CredentialEnvelopeException(failure, e);
        }
    }
}

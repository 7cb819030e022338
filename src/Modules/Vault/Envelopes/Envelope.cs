using System.Text;

namespace Accounts.Orleans.Vault.Envelopes;

/// <summary>
/// The stored form of one secret bundle (version 1):
/// <c>version(1) | keyIdLength(1) | keyId | dataKeyNonce(12) | wrappedDataKey(32) | dataKeyTag(16) | nonce(12) | ciphertext | tag(16)</c>.
/// The master key id travels with the ciphertext so any silo holding the ring can open it after a rotation.
/// </summary>
internal sealed record Envelope(string MasterKeyId, byte[] DataKeyNonce, byte[] WrappedDataKey, byte[] DataKeyTag, byte[] Nonce, byte[] Ciphertext, byte[] Tag)
{
    public const byte Version = 1;
    public const int NonceLength = 12;
    public const int TagLength = 16;
    public const int DataKeyLength = 32;

    public byte[] ToBytes()
    {
        var keyId = Encoding.ASCII.GetBytes(MasterKeyId);
        var bytes = new byte[2 + keyId.Length + NonceLength + DataKeyLength + TagLength + NonceLength + Ciphertext.Length + TagLength];
        var at = 0;
        bytes[at++] = Version;
        bytes[at++] = (byte)keyId.Length;
        foreach (var part in new[] { keyId, DataKeyNonce, WrappedDataKey, DataKeyTag, Nonce, Ciphertext, Tag })
        {
            part.CopyTo(bytes, at);
            at += part.Length;
        }
        return bytes;
    }

    /// <exception cref="CredentialEnvelopeException">The bytes are not a version-1 envelope.</exception>
    public static Envelope Parse(ReadOnlySpan<byte> bytes)
    {
        const int fixedLength = 2 + NonceLength + DataKeyLength + TagLength + NonceLength + TagLength;
        if (bytes.Length < fixedLength + 1 || bytes[0] != Version)
            throw new CredentialEnvelopeException("The stored credentials are not in a format this service reads.");
        var keyIdLength = bytes[1];
        if (keyIdLength == 0 || bytes.Length < fixedLength + keyIdLength)
            throw new CredentialEnvelopeException("The stored credentials are truncated.");
        var at = 2;
        byte[] Take(ReadOnlySpan<byte> source, int length)
        {
            var part = source.Slice(at, length).ToArray();
            at += length;
            return part;
        }
        var keyId = Encoding.ASCII.GetString(Take(bytes, keyIdLength));
        var dataKeyNonce = Take(bytes, NonceLength);
        var wrapped = Take(bytes, DataKeyLength);
        var dataKeyTag = Take(bytes, TagLength);
        var nonce = Take(bytes, NonceLength);
        var ciphertext = Take(bytes, bytes.Length - at - TagLength);
        var tag = Take(bytes, TagLength);
        return new Envelope(keyId, dataKeyNonce, wrapped, dataKeyTag, nonce, ciphertext, tag);
    }
}

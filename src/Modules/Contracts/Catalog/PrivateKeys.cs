using System.Security.Cryptography;

namespace Accounts.Orleans.Contracts.Catalog;

/// <summary>PEM private keys as key fields hold them (a service account's signing key).</summary>
public static class PrivateKeys
{
    /// <summary>What is wrong with a PEM private key, phrased to follow the field's label; null when it can sign. Never echoes the key.</summary>
    public static string? Problem(string pem)
    {
        if (pem.Any(c => char.IsControl(c) && c is not ('\n' or '\r')))
            return "must not contain control characters other than line breaks";
        if (!PemEncoding.TryFind(pem, out var found))
            return "must be a PEM private key (-----BEGIN PRIVATE KEY----- …)";
        var label = pem[found.Label];
        if (label == "ENCRYPTED PRIVATE KEY") return "is encrypted: export it without a passphrase";
        if (label is not ("PRIVATE KEY" or "RSA PRIVATE KEY" or "EC PRIVATE KEY")) return "must be a private key, not a certificate or public key";
        try
        {
            using var key = Open(pem);
            return null;
        }
        catch (CryptographicException)
        {
            return "could not be read as an RSA or EC private key";
        }
    }

    /// <summary>The key, RSA or EC, whichever the PEM holds; throws <see cref="CryptographicException"/> when it holds neither.</summary>
    public static AsymmetricAlgorithm Open(string pem)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            return rsa;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            rsa.Dispose();
        }
        var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            ec.Dispose();
            throw new CryptographicException("The PEM holds no RSA or EC private key.", e);
        }
    }
}

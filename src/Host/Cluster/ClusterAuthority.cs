using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Accounts.Orleans.Client;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// The cluster's own certificate authority: it issues the silo and client certificates <see cref="ClusterTls"/> accepts.
/// Keys are ECDSA P-256 and every private key is written readable by its owner alone.
/// </summary>
public sealed class ClusterAuthority : IDisposable
{
    public static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(825);

    public const string CertificateFileName = "ca.crt";
    public const string KeyFileName = "ca.key";

    private readonly X509Certificate2 _certificate;

    private ClusterAuthority(X509Certificate2 certificate) => _certificate = certificate;

    /// <summary>Whether <paramref name="directory"/> holds a CA's certificate.</summary>
    public static bool ExistsIn(string directory) => File.Exists(Path.Combine(directory, CertificateFileName));

    /// <summary>Creates a CA in <paramref name="directory"/>; refuses to replace one, since every certificate it issued would stop working.</summary>
    /// <exception cref="IOException">The directory already holds a CA, or cannot be written.</exception>
    public static ClusterAuthority Create(string directory, string name, TimeProvider time)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        CheckName(name);
        var request = new CertificateRequest(Subject(name, "authority"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        var now = time.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(AuthorityLifetime));
        PrivateFiles.CreateDirectory(directory);
        PrivateFiles.WriteNew(Path.Combine(directory, KeyFileName), key.ExportPkcs8PrivateKeyPem());
        PrivateFiles.WriteNew(Path.Combine(directory, CertificateFileName), certificate.ExportCertificatePem());
        return Open(directory);
    }

    /// <exception cref="IOException">The CA's files are missing or unreadable.</exception>
    public static ClusterAuthority Open(string directory)
    {
        try
        {
            return new ClusterAuthority(X509Certificate2.CreateFromPemFile(Path.Combine(directory, CertificateFileName), Path.Combine(directory, KeyFileName)));
        }
        catch (Exception e) when (e is CryptographicException or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new IOException($"'{directory}' holds no readable cluster CA ({CertificateFileName} and {KeyFileName}): {e.Message}", e);
        }
    }

    /// <summary>
    /// Issues a certificate for <paramref name="name"/> in <paramref name="role"/>: writes <c>NAME.crt</c> and <c>NAME.key</c>
    /// to <paramref name="directory"/>, with a copy of the CA's certificate beside them when it is not there yet.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not 1-63 lowercase letters, digits and '-'.</exception>
    /// <exception cref="IOException">A certificate of that name already exists there, or the directory cannot be written.</exception>
    public ClusterTlsFiles Issue(ClusterRole role, string name, string directory, TimeProvider time, TimeSpan? lifetime = null)
    {
        CheckName(name);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(Subject(name, role == ClusterRole.Silo ? "silo" : "client"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        // A silo accepts connections and opens them to other silos; a client only opens them.
        var usages = new OidCollection { new Oid("1.3.6.1.5.5.7.3.2") };
        if (role == ClusterRole.Silo) usages.Add(new Oid("1.3.6.1.5.5.7.3.1"));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(usages, critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName(name);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_certificate, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = time.GetUtcNow();
        var notAfter = now.Add(lifetime ?? DefaultLifetime);
        if (notAfter > _certificate.NotAfter) notAfter = _certificate.NotAfter;
        using var certificate = request.Create(_certificate, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        PrivateFiles.CreateDirectory(directory);
        var files = new ClusterTlsFiles(Path.Combine(directory, CertificateFileName), Path.Combine(directory, $"{name}.crt"), Path.Combine(directory, $"{name}.key"));
        PrivateFiles.WriteNew(files.KeyFile, key.ExportPkcs8PrivateKeyPem());
        PrivateFiles.WriteNew(files.CertificateFile, certificate.ExportCertificatePem());
        if (!File.Exists(files.CaFile)) PrivateFiles.WriteNew(files.CaFile, _certificate.ExportCertificatePem());
        return files;
    }

    /// <summary>When the CA stops being able to vouch for anything.</summary>
    public DateTimeOffset NotAfter => _certificate.NotAfter;

    public void Dispose() => _certificate.Dispose();

    /// <summary>A name is a file name and a DNS label at once.</summary>
    private static void CheckName(string name)
    {
        if (name.Length is 0 or > 63 || !name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-') || name[0] == '-' || name[^1] == '-')
            throw new ArgumentException($"'{name}' is not a certificate name: use 1-63 lowercase letters, digits and '-'.", nameof(name));
    }

    private static X500DistinguishedName Subject(string name, string role)
    {
        var builder = new X500DistinguishedNameBuilder();
        builder.AddOrganizationName(ClusterTls.Organization);
        builder.AddOrganizationalUnitName(role);
        builder.AddCommonName(name);
        return builder.Build();
    }
}

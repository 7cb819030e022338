using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Accounts.Orleans.Client;

/// <summary>
/// Mutual TLS inside the cluster. Every silo and client holds a certificate issued by the cluster's own CA, whose
/// organizational unit names its <see cref="ClusterRole"/>. A connection is accepted only from a certificate that chains
/// to that CA alone (the machine's trust store plays no part) and whose role may use the port; host names play no part
/// either, because silos reach each other by the addresses membership lists.
/// </summary>
public sealed class ClusterTls
{
    /// <summary>The organization every certificate of a cluster CA carries.</summary>
    public const string Organization = "Accounts.Orleans";

    private ClusterTls(X509Certificate2 authority, X509Certificate2 certificate, ClusterRole role)
    {
        Authority = authority;
        Certificate = certificate;
        Role = role;
    }

    /// <summary>The cluster CA's certificate: the only root a peer may chain to.</summary>
    public X509Certificate2 Authority { get; }

    /// <summary>This process's certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    public ClusterRole Role { get; }

    /// <exception cref="ClusterSettingsException">A file is missing, unreadable, not issued by the CA, or not of the expected role; the message names its key.</exception>
    public static ClusterTls Load(ClusterTlsFiles files, ClusterRole expected)
    {
        var authority = Read(files.CaFile, ClusterTlsFiles.CaFileKey, () => X509CertificateLoader.LoadCertificateFromFile(files.CaFile));
        var pem = Read(files.CertificateFile, ClusterTlsFiles.CertificateFileKey, () => X509Certificate2.CreateFromPemFile(files.CertificateFile, files.KeyFile));
        // A PEM key is ephemeral; a PKCS#12 round trip gives every platform's TLS stack a key it can use.
        using (pem)
        {
            var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
            var tls = new ClusterTls(authority, certificate, expected);
            if (!tls.Trusts(certificate, expected))
                throw new ClusterSettingsException($"{ClusterTlsFiles.CertificateFileKey}: '{files.CertificateFile}' is not a {expected.ToString().ToLowerInvariant()} certificate issued by the CA in {ClusterTlsFiles.CaFileKey} ('{files.CaFile}'), or it has expired.");
            return tls;
        }
    }

    /// <summary>Whether <paramref name="peer"/> was issued by this cluster's CA, is valid now, and holds one of <paramref name="roles"/>.</summary>
    public bool Trusts(X509Certificate2 peer, params ClusterRole[] roles)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (RoleOf(peer) is not { } role || !roles.Contains(role)) return false;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (!chain.Build(peer)) return false;
        // Issued directly by the CA: a leaf cannot vouch for another certificate.
        return chain.ChainElements.Count == 2 && chain.ChainElements[1].Certificate.RawDataMemory.Span.SequenceEqual(Authority.RawDataMemory.Span);
    }

    /// <summary>The role a certificate of a cluster CA names, or null for any other certificate.</summary>
    public static ClusterRole? RoleOf(X509Certificate2 certificate)
    {
        var names = certificate.SubjectName.EnumerateRelativeDistinguishedNames().ToList();
        string? Value(string oid) => names.FirstOrDefault(n => n.GetSingleElementType().Value == oid)?.GetSingleElementValue();
        if (Value(Oids.Organization) != Organization) return null;
        return Value(Oids.OrganizationalUnit) switch
        {
            "silo" => ClusterRole.Silo,
            "client" => ClusterRole.Client,
            _ => null,
        };
    }

    /// <summary>TLS for a connection this process opens: to a silo's silo port or gateway, which must show a silo certificate.</summary>
    public TlsOptions Outbound() => Options(ClusterRole.Silo);

    /// <summary>TLS for connections a silo accepts from <paramref name="roles"/>.</summary>
    public TlsOptions Inbound(params ClusterRole[] roles) => Options(roles);

    private TlsOptions Options(params ClusterRole[] roles) => new()
    {
        LocalCertificate = Certificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        ClientCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = (certificate, _, _) => Trusts(certificate, roles),
        HandshakeTimeout = TimeSpan.FromSeconds(10),
    };

    private static T Read<T>(string path, string key, Func<T> read)
    {
        if (!File.Exists(path))
            throw new ClusterSettingsException($"{key}: no such file '{path}' (an embedded Host creates it on its first start; a cluster's comes from 'certs issue').");
        try
        {
            return read();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new ClusterSettingsException($"{key}: cannot read '{path}' ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file" : e.Message)}).");
        }
    }

    private static class Oids
    {
        public const string Organization = "2.5.4.10";
        public const string OrganizationalUnit = "2.5.4.11";
    }
}

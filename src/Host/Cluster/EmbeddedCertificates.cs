using System.Security.Cryptography.X509Certificates;
using Accounts.Orleans.Client;

namespace Accounts.Orleans.Host.Cluster;

/// <summary>
/// An embedded Host's private cluster CA, its silo certificate and the console's, in the data directory. Created on
/// first start; a certificate within a month of expiring is issued again, so a long-running install never locks its
/// own console out.
/// </summary>
public static class EmbeddedCertificates
{
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    /// <exception cref="IOException">The data directory cannot be written, or holds a CA that cannot be read.</exception>
    public static void Ensure(string dataDirectory, TimeProvider time)
    {
        var folder = Path.Combine(dataDirectory, ClusterTlsFiles.EmbeddedFolder);
        using var authority = ClusterAuthority.ExistsIn(folder)
            ? ClusterAuthority.Open(folder)
            : ClusterAuthority.Create(folder, "embedded", time);
        Issue(authority, folder, ClusterRole.Silo, ClusterTlsFiles.EmbeddedSilo, time);
        Issue(authority, folder, ClusterRole.Client, ClusterTlsFiles.EmbeddedConsole, time);
    }

    private static void Issue(ClusterAuthority authority, string folder, ClusterRole role, string name, TimeProvider time)
    {
        var files = ClusterTlsFiles.Embedded(Path.GetDirectoryName(folder)!, name);
        if (File.Exists(files.CertificateFile) && File.Exists(files.KeyFile))
        {
            using var current = X509CertificateLoader.LoadCertificateFromFile(files.CertificateFile);
            if (current.NotAfter.ToUniversalTime() > time.GetUtcNow().Add(RenewBefore).UtcDateTime) return;
        }
        File.Delete(files.CertificateFile);
        File.Delete(files.KeyFile);
        authority.Issue(role, name, folder, time);
    }
}

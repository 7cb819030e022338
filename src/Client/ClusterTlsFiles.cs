using Microsoft.Extensions.Configuration;

namespace Accounts.Orleans.Client;

/// <summary>
/// Where a process finds the cluster CA's certificate and its own certificate and key (PEM). On a PostgreSQL cluster
/// all three are required; embedded, they default to the files the Host creates under its data directory, so the
/// console on the same machine needs no settings.
/// </summary>
public sealed record ClusterTlsFiles(string CaFile, string CertificateFile, string KeyFile)
{
    public const string Section = "Accounts:Cluster:Tls";
    public const string CaFileKey = Section + ":CaFile";
    public const string CertificateFileKey = Section + ":CertificateFile";
    public const string KeyFileKey = Section + ":KeyFile";

    /// <summary>The folder under an embedded Host's data directory that holds the cluster's certificates.</summary>
    public const string EmbeddedFolder = "tls";

    /// <summary>The embedded Host's own certificate and the console's, by file name.</summary>
    public const string EmbeddedSilo = "silo";
    public const string EmbeddedConsole = "console";

    /// <summary>The files of an embedded cluster: its CA and the certificate called <paramref name="name"/>.</summary>
    public static ClusterTlsFiles Embedded(string dataDirectory, string name)
    {
        var folder = Path.Combine(dataDirectory, EmbeddedFolder);
        return new(Path.Combine(folder, "ca.crt"), Path.Combine(folder, $"{name}.crt"), Path.Combine(folder, $"{name}.key"));
    }

    /// <param name="embeddedName">The certificate an embedded process uses when none is configured.</param>
    /// <exception cref="ClusterSettingsException">A PostgreSQL cluster without one of the files; the message names the key.</exception>
    internal static ClusterTlsFiles Read(IConfiguration configuration, bool shared, string embeddedName)
    {
        var section = configuration.GetSection(Section);
        string? Setting(string key) => section[key] is { Length: > 0 } value ? Path.GetFullPath(value) : null;
        var (ca, certificate, key) = (Setting("CaFile"), Setting("CertificateFile"), Setting("KeyFile"));
        if (ca is not null && certificate is not null && key is not null) return new(ca, certificate, key);
        if (shared || ca is not null || certificate is not null || key is not null)
        {
            var missing = ca is null ? CaFileKey : certificate is null ? CertificateFileKey : KeyFileKey;
            throw new ClusterSettingsException(shared
                ? $"{missing} is required on a PostgreSQL cluster: every silo and client proves itself with a certificate of the cluster's CA (create them with 'certs init' and 'certs issue')."
                : $"{missing} is required when any of {Section}'s files is set.");
        }
        var data = configuration["Accounts:Storage:DataDirectory"] is { Length: > 0 } configured ? configured : ".data";
        return Embedded(Path.GetFullPath(data), embeddedName);
    }
}

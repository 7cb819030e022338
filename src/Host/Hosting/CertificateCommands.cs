using System.Globalization;
using Accounts.Orleans.Client;
using Accounts.Orleans.Host.Cluster;

namespace Accounts.Orleans.Host.Hosting;

/// <summary>
/// Operator commands for a PostgreSQL cluster's certificates, run without starting the service:
/// <c>certs init --dir DIR</c> creates the cluster's CA; <c>certs issue (--silo NAME | --client NAME) --ca DIR</c> issues a
/// certificate from it. The CA's key signs every certificate the cluster accepts: keep it off the silos.
/// </summary>
public static class CertificateCommands
{
    private const string Usage = "usage: certs init --dir DIR | certs issue (--silo NAME | --client NAME) --ca DIR [--out DIR] [--days N]";

    public static bool IsCertificateCommand(string[] args) => args is ["certs", ..];

    public static int Run(string[] args, TextWriter output, TextWriter error, TimeProvider time)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        try
        {
            switch (args)
            {
                case ["certs", "init", ..] when Option("--dir") is { } directory:
                    if (ClusterAuthority.ExistsIn(directory))
                    {
                        error.WriteLine($"{directory} already holds a cluster CA; left unchanged (every certificate it issued depends on it).");
                        return 1;
                    }
                    using (var authority = ClusterAuthority.Create(directory, "cluster", time))
                        output.WriteLine($"created the cluster CA in {directory} ({ClusterAuthority.CertificateFileName}, {ClusterAuthority.KeyFileName}), valid until {authority.NotAfter:yyyy-MM-dd}; keep {ClusterAuthority.KeyFileName} off the silos and back it up");
                    return 0;
                case ["certs", "issue", ..] when Option("--ca") is { } ca && (Option("--silo"), Option("--client")) is var (silo, client) && (silo is null) != (client is null):
                    var days = Option("--days") is { } text
                        ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 3650 ? n : throw new ArgumentException($"--days is '{text}'; expected 1-3650.")
                        : (int)ClusterAuthority.DefaultLifetime.TotalDays;
                    using (var authority = ClusterAuthority.Open(ca))
                    {
                        var role = silo is null ? ClusterRole.Client : ClusterRole.Silo;
                        var files = authority.Issue(role, silo ?? client!, Option("--out") ?? ca, time, TimeSpan.FromDays(days));
                        output.WriteLine($"issued a {role.ToString().ToLowerInvariant()} certificate: {files.CertificateFile} and {files.KeyFile} (CA: {files.CaFile}); give them as {ClusterTlsFiles.CertificateFileKey}, {ClusterTlsFiles.KeyFileKey} and {ClusterTlsFiles.CaFileKey}");
                    }
                    return 0;
                default:
                    error.WriteLine(Usage);
                    return 2;
            }
        }
        catch (ArgumentException e)
        {
            error.WriteLine(e.Message);
            return 2;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}

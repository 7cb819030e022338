using Accounts.Orleans.Client;
using Accounts.Orleans.Host.Cluster;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Cluster;

/// <summary><c>certs init</c> and <c>certs issue</c>, and what <see cref="ClusterTls"/> makes of the certificates they write.</summary>
public sealed class CertificateCommandsTests
{
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    private (int Code, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = CertificateCommands.Run(args, output, error, _time);
        return (code, output.ToString(), error.ToString());
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void A_ca_and_the_silo_and_client_certificates_it_issues_are_accepted_in_their_own_roles_only()
    {
        using var ca = new TempDirectory();
        using var silos = new TempDirectory();

        var init = Run("certs", "init", "--dir", ca.Path);
        var silo = Run("certs", "issue", "--silo", "silo-1", "--ca", ca.Path, "--out", silos.Path);
        var client = Run("certs", "issue", "--client", "engine", "--ca", ca.Path);
        var siloTls = ClusterTls.Load(new ClusterTlsFiles(Path.Combine(silos.Path, "ca.crt"), Path.Combine(silos.Path, "silo-1.crt"), Path.Combine(silos.Path, "silo-1.key")), ClusterRole.Silo);
        var clientTls = ClusterTls.Load(new ClusterTlsFiles(Path.Combine(ca.Path, "ca.crt"), Path.Combine(ca.Path, "engine.crt"), Path.Combine(ca.Path, "engine.key")), ClusterRole.Client);

        Assert.Equal((0, 0, 0), (init.Code, silo.Code, client.Code));
        Assert.Contains("keep ca.key off the silos", init.Output, StringComparison.Ordinal);
        Assert.Contains(ClusterTlsFiles.CertificateFileKey, silo.Output, StringComparison.Ordinal);
        Assert.True(siloTls.Trusts(clientTls.Certificate, ClusterRole.Silo, ClusterRole.Client));
        Assert.False(siloTls.Trusts(clientTls.Certificate, ClusterRole.Silo));
        Assert.True(clientTls.Trusts(siloTls.Certificate, ClusterRole.Silo));
        Assert.All(Directory.GetFiles(ca.Path).Concat(Directory.GetFiles(silos.Path)),
            f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
        var wrongRole = Assert.Throws<ClusterSettingsException>(() => ClusterTls.Load(
            new ClusterTlsFiles(Path.Combine(ca.Path, "ca.crt"), Path.Combine(ca.Path, "engine.crt"), Path.Combine(ca.Path, "engine.key")), ClusterRole.Silo));
        Assert.Contains("is not a silo certificate", wrongRole.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_of_another_ca_an_expired_one_and_the_ca_itself_are_not_trusted()
    {
        using var ours = new TempDirectory();
        using var theirs = new TempDirectory();
        _time.AdjustTime(DateTimeOffset.UtcNow.AddDays(-10));
        Run("certs", "init", "--dir", ours.Path);
        Run("certs", "init", "--dir", theirs.Path);
        Run("certs", "issue", "--client", "expired", "--ca", ours.Path, "--days", "1");
        _time.AdjustTime(DateTimeOffset.UtcNow);
        Run("certs", "issue", "--silo", "silo", "--ca", ours.Path);
        Run("certs", "issue", "--client", "stranger", "--ca", theirs.Path);
        var silo = ClusterTls.Load(new ClusterTlsFiles(Path.Combine(ours.Path, "ca.crt"), Path.Combine(ours.Path, "silo.crt"), Path.Combine(ours.Path, "silo.key")), ClusterRole.Silo);
        using var stranger = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(theirs.Path, "stranger.crt"));
        using var authority = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ours.Path, "ca.crt"));
        using var expired = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificateFromFile(Path.Combine(ours.Path, "expired.crt"));

        Assert.False(silo.Trusts(stranger, ClusterRole.Client));
        Assert.False(silo.Trusts(authority, ClusterRole.Silo, ClusterRole.Client));
        Assert.False(silo.Trusts(expired, ClusterRole.Client));
        Assert.True(silo.Trusts(silo.Certificate, ClusterRole.Silo));
    }

    [Theory]
    [InlineData(2, "certs")]
    [InlineData(2, "certs", "init")]
    [InlineData(2, "certs", "issue", "--silo", "a", "--client", "b", "--ca", "x")]
    [InlineData(2, "certs", "issue", "--silo", "Not_A_Name", "--ca", "{ca}")]
    [InlineData(2, "certs", "issue", "--client", "engine", "--ca", "{ca}", "--days", "0")]
    [InlineData(1, "certs", "issue", "--client", "engine", "--ca", "{empty}")]
    [InlineData(1, "certs", "init", "--dir", "{ca}")]
    [InlineData(1, "certs", "issue", "--client", "taken", "--ca", "{ca}")]
    public void Bad_commands_say_why_and_change_nothing(int expected, params string[] args)
    {
        using var ca = new TempDirectory();
        using var empty = new TempDirectory();
        Run("certs", "init", "--dir", ca.Path);
        Run("certs", "issue", "--client", "taken", "--ca", ca.Path);
        var before = Directory.GetFiles(ca.Path).ToDictionary(f => f, File.ReadAllText);

        var (code, output, error) = Run([.. args.Select(a => a.Replace("{ca}", ca.Path, StringComparison.Ordinal).Replace("{empty}", empty.Path, StringComparison.Ordinal))]);

        Assert.Equal(expected, code);
        Assert.Equal("", output);
        Assert.NotEqual("", error.Trim());
        Assert.Equal(before, Directory.GetFiles(ca.Path).ToDictionary(f => f, File.ReadAllText));
        Assert.Empty(Directory.GetFiles(empty.Path));
    }
}

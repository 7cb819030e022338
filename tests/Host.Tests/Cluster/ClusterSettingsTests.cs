using System.Net;
using Accounts.Orleans.Client;
using Microsoft.Extensions.Configuration;

namespace Accounts.Orleans.Host.Tests.Cluster;

/// <summary>The one reader of <c>Accounts:Cluster</c>, shared by the silo, the operator commands and the console.</summary>
public sealed class ClusterSettingsTests
{
    private static ClusterSettings Read(params (string Key, string Value)[] settings)
        => ClusterSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build());

    [Fact]
    public void Without_settings_a_client_finds_the_embedded_host_on_this_machine()
    {
        var settings = Read();

        Assert.Equal([new IPEndPoint(IPAddress.Loopback, 30000)], settings.Gateways);
        Assert.Null(settings.MembershipConnectionString);
        Assert.Equal(("accounts", "accounts", 11111), (settings.ClusterId, settings.ServiceId, settings.SiloPort));
    }

    [Fact]
    public void Listed_gateways_are_used_as_given_and_a_postgres_profile_reads_membership_instead()
    {
        Assert.Equal([new IPEndPoint(IPAddress.Parse("10.0.0.5"), 30000), new IPEndPoint(IPAddress.IPv6Loopback, 30001)],
            Read(("Accounts:Cluster:Gateways", "10.0.0.5:30000, [::1]:30001")).Gateways);
        Assert.Equal("Host=db", Read(("Accounts:Storage:Provider", "Postgres"), ("ConnectionStrings:Accounts", "Host=db"),
            ("Accounts:Cluster:Tls:CaFile", "ca.crt"), ("Accounts:Cluster:Tls:CertificateFile", "engine.crt"), ("Accounts:Cluster:Tls:KeyFile", "engine.key"),
            ("Accounts:Cluster:ApiKeyFile", "engine.apikey")).MembershipConnectionString);
    }

    [Fact]
    public void A_client_finds_the_embedded_hosts_console_certificate_under_the_data_directory_and_configured_files_win()
    {
        var embedded = Read(("Accounts:Storage:DataDirectory", "/srv/accounts")).Tls;
        var silo = ClusterSettings.Read(new ConfigurationBuilder().Build(), ClusterRole.Silo).Tls;
        var configured = Read(("Accounts:Cluster:Tls:CaFile", "/etc/a/ca.crt"), ("Accounts:Cluster:Tls:CertificateFile", "/etc/a/me.crt"), ("Accounts:Cluster:Tls:KeyFile", "/etc/a/me.key")).Tls;

        Assert.Equal(new ClusterTlsFiles("/srv/accounts/tls/ca.crt", "/srv/accounts/tls/console.crt", "/srv/accounts/tls/console.key"), embedded);
        Assert.Equal(Path.GetFullPath(".data/tls/silo.crt"), silo.CertificateFile);
        Assert.Equal(new ClusterTlsFiles("/etc/a/ca.crt", "/etc/a/me.crt", "/etc/a/me.key"), configured);
    }

    [Theory]
    [InlineData("Accounts:Cluster:Gateways", "10.0.0.5", "Accounts:Cluster:Gateways")]
    [InlineData("Accounts:Cluster:Gateways", "10.0.0.5:99999", "Accounts:Cluster:Gateways")]
    [InlineData("Accounts:Cluster:Gateways", "no-such-host.invalid:30000", "Accounts:Cluster:Gateways")]
    [InlineData("Accounts:Cluster:GatewayPort", "-1", "Accounts:Cluster:GatewayPort")]
    [InlineData("Accounts:Cluster:SiloPort", "30000", "Accounts:Cluster:SiloPort")]
    [InlineData("Accounts:Cluster:ClusterId", "has spaces", "Accounts:Cluster:ClusterId")]
    [InlineData("Accounts:Cluster:AdvertisedAddress", "somewhere", "Accounts:Cluster:AdvertisedAddress")]
    [InlineData("Accounts:Storage:Provider", "Postgres", "ConnectionStrings:Accounts")]
    [InlineData("Accounts:Cluster:Tls:CaFile", "/etc/a/ca.crt", "Accounts:Cluster:Tls:CertificateFile")]
    [InlineData("Accounts:Cluster:Tls:KeyFile", "/etc/a/me.key", "Accounts:Cluster:Tls:CaFile")]
    public void A_malformed_setting_is_refused_naming_its_key(string key, string value, string named)
        => Assert.Contains(named, Assert.Throws<ClusterSettingsException>(() => Read((key, value))).Message, StringComparison.Ordinal);
}

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
        Assert.Equal("Host=db", Read(("Accounts:Storage:Provider", "Postgres"), ("ConnectionStrings:Accounts", "Host=db")).MembershipConnectionString);
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
    public void A_malformed_setting_is_refused_naming_its_key(string key, string value, string named)
        => Assert.Contains(named, Assert.Throws<ClusterSettingsException>(() => Read((key, value))).Message, StringComparison.Ordinal);
}

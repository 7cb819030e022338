using System.Net;
using Accounts.Orleans.Connections.Outbound;

namespace Accounts.Orleans.Connections.Tests.Outbound;

public sealed class OutboundAddressPolicyTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.168.1.1")]
    [InlineData("169.254.169.254")]
    [InlineData("100.64.0.1")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("fd00::1")]
    [InlineData("fe80::1")]
    [InlineData("::ffff:10.0.0.1")]
    public void Local_private_and_metadata_addresses_are_refused_by_default(string address)
        => Assert.False(new OutboundAddressPolicy(allowLoopback: false, allowPrivateNetworks: false).IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("100.128.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void Public_addresses_are_allowed(string address)
        => Assert.True(new OutboundAddressPolicy(allowLoopback: false, allowPrivateNetworks: false).IsAllowed(IPAddress.Parse(address)));

    [Fact]
    public void Switches_open_loopback_for_tests_and_private_networks_for_self_hosted_apps()
    {
        Assert.True(new OutboundAddressPolicy(allowLoopback: true, allowPrivateNetworks: false).IsAllowed(IPAddress.Loopback));
        Assert.False(new OutboundAddressPolicy(allowLoopback: true, allowPrivateNetworks: false).IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.True(new OutboundAddressPolicy(allowLoopback: false, allowPrivateNetworks: true).IsAllowed(IPAddress.Parse("10.0.0.1")));
        Assert.False(new OutboundAddressPolicy(allowLoopback: false, allowPrivateNetworks: true).IsAllowed(IPAddress.Loopback));
        Assert.False(new OutboundAddressPolicy(allowLoopback: true, allowPrivateNetworks: true).IsAllowed(IPAddress.Parse("169.254.169.254")));
    }
}

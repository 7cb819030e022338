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
    [InlineData("0.0.0.0")]
    [InlineData("0.1.2.3")]
    [InlineData("::")]
    [InlineData("169.254.169.254")]
    [InlineData("100.100.100.200")]
    [InlineData("168.63.129.16")]
    [InlineData("fd00:ec2::254")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::a9fe:a9fe")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("64:ff9b:1:a9fe:a9:fe00::")]
    [InlineData("64:ff9b:1::a9fe:a9fe")]
    [InlineData("2002:a9fe:a9fe::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:5601:5601")]
    [InlineData("64:ff9b::6464:64c8")]
    public void Nowhere_and_metadata_addresses_are_refused_in_any_form_whatever_the_switches(string address)
        => Assert.False(new OutboundAddressPolicy(allowLoopback: true, allowPrivateNetworks: true).IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("64:ff9b::a00:1")]
    [InlineData("64:ff9b::7f00:1")]
    [InlineData("64:ff9b:1:c0a8:1:100::")]
    [InlineData("2002:c0a8:101::1")]
    [InlineData("2002:7f00:1::1")]
    [InlineData("::7f00:1")]
    [InlineData("::a00:1")]
    [InlineData("2001:0:4136:e378:8000:63bf:f5ff:fffe")]
    [InlineData("2001:db8::1")]
    [InlineData("fec0::1")]
    public void Ipv6_forms_that_carry_a_private_or_loopback_ipv4_address_are_judged_by_it(string address)
        => Assert.False(new OutboundAddressPolicy(allowLoopback: false, allowPrivateNetworks: false).IsAllowed(IPAddress.Parse(address)));

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::1")]
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

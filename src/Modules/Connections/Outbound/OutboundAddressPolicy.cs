using System.Net;
using System.Net.Sockets;

namespace Accounts.Orleans.Connections.Outbound;

/// <summary>
/// Which addresses the service may call with credentials. Users type hosts into key fields (a self-hosted server, a
/// store domain), so without this a connect request could make the service probe its own network or a cloud
/// metadata endpoint. Checked on the resolved address at connect time, so DNS tricks cannot slip past it, and on the
/// IPv4 address an IPv6 one carries (mapped, compatible, NAT64, 6to4, Teredo), so an encoding cannot either.
/// </summary>
public sealed class OutboundAddressPolicy(bool allowLoopback, bool allowPrivateNetworks)
{
    // Metadata services outside 169.254.0.0/16: Alibaba Cloud's, Azure's wire server, AWS's over IPv6.
    private static readonly IPAddress[] Metadata = [IPAddress.Parse("100.100.100.200"), IPAddress.Parse("168.63.129.16"), IPAddress.Parse("fd00:ec2::254")];

    public bool IsAllowed(IPAddress address)
    {
        foreach (var judged in Judged(address))
        {
            if (!IsAllowedItself(judged)) return false;
        }
        return true;
    }

    private bool IsAllowedItself(IPAddress address)
    {
        if (IsNever(address)) return false;
        if (IPAddress.IsLoopback(address)) return allowLoopback;
        if (allowPrivateNetworks) return true;
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address.GetAddressBytes()),
            _ => false,
        };
    }

    /// <summary>
    /// The address, and every IPv4 address an IPv6 one embeds (a packet to it reaches that IPv4 host through a
    /// translator or tunnel); all of them must be allowed. Where a prefix admits two layouts, both are judged.
    /// </summary>
    private static IEnumerable<IPAddress> Judged(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            yield return address;
            yield break;
        }
        var b = address.GetAddressBytes();
        // IPv4-mapped ::ffff:a.b.c.d and IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks) are the
        // IPv4 host itself; :: and ::1 are judged as themselves.
        if (address.IsIPv4MappedToIPv6)
        {
            yield return address.MapToIPv4();
            yield break;
        }
        if (b.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 && !IPAddress.IPv6Loopback.Equals(address) && !IPAddress.IPv6Any.Equals(address))
        {
            yield return V4(b, 12, 13, 14, 15);
            yield break;
        }
        yield return address;
        // NAT64, well-known prefix 64:ff9b::/96 (RFC 6052).
        if (b is [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, ..]) yield return V4(b, 12, 13, 14, 15);
        // NAT64, local-use prefix 64:ff9b:1::/48 (RFC 8215): a /48 layout skips the reserved octet 8; a /96 one is last.
        if (b is [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01, ..])
        {
            yield return V4(b, 6, 7, 9, 10);
            yield return V4(b, 12, 13, 14, 15);
        }
        // 6to4 2002:AABB:CCDD::/48 (RFC 3056).
        if (b is [0x20, 0x02, ..]) yield return V4(b, 2, 3, 4, 5);
        // Teredo 2001:0::/32 (RFC 4380): the server, and the client's address stored inverted.
        if (b is [0x20, 0x01, 0x00, 0x00, ..])
        {
            yield return V4(b, 4, 5, 6, 7);
            yield return new IPAddress([(byte)~b[12], (byte)~b[13], (byte)~b[14], (byte)~b[15]]);
        }
    }

    private static IPAddress V4(byte[] b, int i, int j, int k, int l) => new([b[i], b[j], b[k], b[l]]);

    /// <summary>Refused whatever the switches say: nowhere (unspecified), link-local and multicast, and metadata services.</summary>
    private static bool IsNever(IPAddress address)
    {
        if (Metadata.Contains(address)) return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
            return address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6Multicast;
        return address.GetAddressBytes() is [0, ..] or [169, 254, ..] or [>= 224, ..];
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 10 || b[0] == 127
        || (b[0] == 100 && b[1] is >= 64 and <= 127)   // carrier-grade NAT
        || (b[0] == 172 && b[1] is >= 16 and <= 31)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 192 && b[1] == 0 && b[2] is 0 or 2)  // protocol assignments, documentation
        || (b[0] == 198 && b[1] is 18 or 19)           // benchmarking
        || (b[0] == 198 && b[1] == 51 && b[2] == 100)
        || (b[0] == 203 && b[1] == 0 && b[2] == 113));

    private static bool IsPublicV6(byte[] b) => !(
        (b[0] & 0xFE) == 0xFC                          // unique local fc00::/7
        || (b[0] == 0xFE && (b[1] & 0xC0) == 0xC0)     // site-local fec0::/10
        || b is [0x20, 0x01, 0x0d, 0xb8, ..]           // documentation
        || b is [0x01, 0x00, 0, 0, 0, 0, 0, 0, ..]     // discard-only 100::/64
        || b.AsSpan(0, 10).IndexOfAnyExcept((byte)0) < 0);  // the rest of ::/80 (the mapped and compatible forms are judged as IPv4)

    /// <summary>Connects only to allowed addresses of the host; refuses with <see cref="BlockedAddressException"/> otherwise.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(IsAllowed).ToArray();
        if (allowed.Length == 0) throw new BlockedAddressException(host);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}

/// <summary>The host resolves only to addresses the service does not call (loopback, private, link-local…).</summary>
public sealed class BlockedAddressException(string host)
    : IOException($"'{host}' resolves only to private or local addresses, which this service does not call.");

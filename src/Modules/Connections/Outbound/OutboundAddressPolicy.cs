using System.Net;
using System.Net.Sockets;

namespace Accounts.Orleans.Connections.Outbound;

/// <summary>
/// Which addresses the service may call with credentials. Users type hosts into key fields (a self-hosted server, a
/// store domain), so without this a connect request could make the service probe its own network or a cloud
/// metadata endpoint. Checked on the resolved address at connect time, so DNS tricks cannot slip past it.
/// </summary>
public sealed class OutboundAddressPolicy(bool allowLoopback, bool allowPrivateNetworks)
{
    public bool IsAllowed(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return allowLoopback;
        // Link-local holds the cloud metadata endpoint: never, whatever the switches say.
        if (IsLinkLocal(address)) return false;
        if (allowPrivateNetworks) return true;
        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast
                || address.Equals(IPAddress.IPv6Any) || (address.GetAddressBytes()[0] & 0xFE) == 0xFC),
            _ => false,
        };
    }

    private static bool IsLinkLocal(IPAddress address)
        => address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.IsIPv6LinkLocal || address.IsIPv6Multicast
            : address.GetAddressBytes() is [169, 254, ..] or [>= 224, ..];

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0 || b[0] == 10 || b[0] == 127 || b[0] >= 224
        || (b[0] == 100 && b[1] is >= 64 and <= 127)   // carrier-grade NAT
        || (b[0] == 169 && b[1] == 254)                // link-local, cloud metadata
        || (b[0] == 172 && b[1] is >= 16 and <= 31)
        || (b[0] == 192 && b[1] == 168)
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)
        || (b[0] == 198 && b[1] is 18 or 19));

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

using System.Net;
using Microsoft.Extensions.Configuration;

namespace Accounts.Orleans.Tui.Cluster;

/// <summary>How the console finds the cluster and whom it acts as.</summary>
public sealed record ConsoleSettings(string Operator, string ServiceId, string ClusterId, IReadOnlyList<IPEndPoint> Gateways, string? MembershipConnectionString)
{
    /// <summary>Where the console looks for gateways, for messages.</summary>
    public string GatewaysText => MembershipConnectionString is not null
        ? "the gateways listed in PostgreSQL membership"
        : string.Join(", ", Gateways.Select(g => g.ToString()));

    /// <exception cref="ArgumentException">A setting is malformed; the message names its key.</exception>
    public static ConsoleSettings From(IConfiguration configuration)
    {
        var cluster = configuration.GetSection("Accounts:Cluster");
        var operatorId = configuration["Accounts:Console:Operator"] is { Length: > 0 } configured
            ? configured
            : $"{Environment.UserName}@{Environment.MachineName}";
        if (operatorId.Length > 128 || operatorId.Any(char.IsControl))
            throw new ArgumentException("Accounts:Console:Operator must be at most 128 printable characters.");

        string? membership = null;
        if (string.Equals(configuration["Accounts:Storage:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase))
            membership = configuration.GetConnectionString("Accounts") is { Length: > 0 } connection
                ? connection
                : throw new ArgumentException("ConnectionStrings:Accounts is required when Accounts:Storage:Provider is Postgres.");

        return new ConsoleSettings($"console:{operatorId}", cluster["ServiceId"] ?? "accounts", cluster["ClusterId"] ?? "accounts", ReadGateways(cluster), membership);
    }

    /// <summary><c>Accounts:Cluster:Gateways</c> ("host:port,host:port"), else this machine's <c>GatewayPort</c> (30000).</summary>
    private static IPEndPoint[] ReadGateways(IConfigurationSection cluster)
    {
        if (cluster["Gateways"] is not { Length: > 0 } list)
        {
            var port = cluster["GatewayPort"] is { Length: > 0 } text
                ? int.TryParse(text, out var p) && p is > 0 and <= 65535 ? p : throw new ArgumentException($"Accounts:Cluster:GatewayPort '{text}' is not a port number.")
                : 30000;
            return [new IPEndPoint(IPAddress.Loopback, port)];
        }
        return [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Parse)];
    }

    private static IPEndPoint Parse(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], out var port) || port is <= 0 or > 65535)
            throw new ArgumentException($"Accounts:Cluster:Gateways: '{gateway}' is not host:port.");
        var host = gateway[..colon].Trim('[', ']');
        var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).FirstOrDefault()
            ?? throw new ArgumentException($"Accounts:Cluster:Gateways: cannot resolve '{host}'.");
        return new IPEndPoint(address, port);
    }
}

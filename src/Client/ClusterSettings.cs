using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Accounts.Orleans.Client;

/// <summary>
/// <c>Accounts:Cluster</c>, and the storage profile it implies: how a silo joins its cluster, and how a client (the
/// console, an operator command, a workflow engine) finds it. The one reader of these keys.
/// </summary>
/// <param name="Gateways">For clients: the gateways to try, when membership does not list them.</param>
/// <param name="MembershipConnectionString">For clients of a PostgreSQL cluster: where the silos list their gateways.</param>
/// <param name="Tls">This process's certificate files.</param>
/// <param name="ApiKey">For clients: the API key every call presents, or the file that holds it.</param>
public sealed record ClusterSettings(int SiloPort, int GatewayPort, string ClusterId, string ServiceId, IPAddress? AdvertisedAddress,
    IReadOnlyList<IPEndPoint> Gateways, string? MembershipConnectionString, ClusterTlsFiles Tls, ClusterApiKey? ApiKey)
{
    public const string Section = "Accounts:Cluster";
    public const string DefaultId = "accounts";

    /// <summary>Where a client looks for gateways, for messages.</summary>
    public string GatewaysText => MembershipConnectionString is not null
        ? "the gateways listed in PostgreSQL membership"
        : string.Join(", ", Gateways.Select(g => g.ToString()));

    /// <param name="role">Who reads: a silo, or a client (the console, an operator command, a workflow engine).</param>
    /// <exception cref="ClusterSettingsException">A setting is malformed or missing; the message names its key.</exception>
    public static ClusterSettings Read(IConfiguration configuration, ClusterRole role = ClusterRole.Client)
    {
        var section = configuration.GetSection(Section);
        var siloPort = Port(section, "SiloPort", 11111);
        var gatewayPort = Port(section, "GatewayPort", 30000);
        if (siloPort == gatewayPort) throw new ClusterSettingsException($"{Section}:SiloPort and {Section}:GatewayPort must differ (both are {siloPort}).");
        IPAddress? advertised = null;
        if (section["AdvertisedAddress"] is { Length: > 0 } address && !IPAddress.TryParse(address, out advertised))
            throw new ClusterSettingsException($"{Section}:AdvertisedAddress '{address}' is not an IP address.");
        string? membership = null;
        if (string.Equals(configuration["Accounts:Storage:Provider"], "Postgres", StringComparison.OrdinalIgnoreCase)
            || string.Equals(configuration["Accounts:Storage:Provider"], "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            membership = configuration.GetConnectionString("Accounts") is { Length: > 0 } connection
                ? connection
                : throw new ClusterSettingsException("ConnectionStrings:Accounts is required when Accounts:Storage:Provider is Postgres.");
        }
        var gateways = section["Gateways"] is { Length: > 0 } list
            ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Gateway).ToArray()
            : [new IPEndPoint(IPAddress.Loopback, gatewayPort)];
        var tls = ClusterTlsFiles.Read(configuration, shared: membership is not null,
            role == ClusterRole.Silo ? ClusterTlsFiles.EmbeddedSilo : ClusterTlsFiles.EmbeddedConsole);
        var apiKey = role == ClusterRole.Client ? ClusterApiKey.Read(configuration, shared: membership is not null) : null;
        return new ClusterSettings(siloPort, gatewayPort, Id(section, "ClusterId"), Id(section, "ServiceId"), advertised, gateways, membership, tls, apiKey);
    }

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and <= 65535
            ? port
            : throw new ClusterSettingsException($"{Section}:{key} is '{value}'; expected a port number 1-65535.");
    }

    private static string Id(IConfigurationSection section, string key)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value)) return DefaultId;
        // ServiceId keys every stored row, so it must be stable and plain.
        return value.Length <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? value
            : throw new ClusterSettingsException($"{Section}:{key} must be 1-100 characters of letters, digits, '-', '_' or '.'.");
    }

    private static IPEndPoint Gateway(string gateway)
    {
        var colon = gateway.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(gateway[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is <= 0 or > 65535)
            throw new ClusterSettingsException($"{Section}:Gateways: '{gateway}' is not host:port.");
        var host = gateway[..colon].Trim('[', ']');
        try
        {
            var address = IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).FirstOrDefault();
            return address is null ? throw new ClusterSettingsException($"{Section}:Gateways: cannot resolve '{host}'.") : new IPEndPoint(address, port);
        }
        catch (System.Net.Sockets.SocketException)
        {
            throw new ClusterSettingsException($"{Section}:Gateways: cannot resolve '{host}'.");
        }
    }
}

/// <summary>A cluster setting is malformed or missing; the message names the key and is meant for the operator.</summary>
public sealed class ClusterSettingsException(string message) : Exception(message);

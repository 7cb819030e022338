using System.Net;
using Accounts.Orleans.Host.Hosting;

namespace Accounts.Orleans.Host.Cluster;

/// <summary><c>Accounts:Cluster</c>: how this silo joins its cluster.</summary>
public sealed record ClusterSettings(int SiloPort, int GatewayPort, string ClusterId, string ServiceId, IPAddress? AdvertisedAddress)
{
    public const string Section = "Accounts:Cluster";

    /// <exception cref="StartupException">A setting is malformed; the message names its key.</exception>
    public static ClusterSettings From(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var siloPort = Port(section, "SiloPort", 11111);
        var gatewayPort = Port(section, "GatewayPort", 30000);
        if (siloPort == gatewayPort) throw new StartupException($"{Section}:SiloPort and {Section}:GatewayPort must differ (both are {siloPort}).");
        IPAddress? advertised = null;
        if (section["AdvertisedAddress"] is { Length: > 0 } address && !IPAddress.TryParse(address, out advertised))
            throw new StartupException($"{Section}:AdvertisedAddress '{address}' is not an IP address.");
        return new ClusterSettings(siloPort, gatewayPort, Id(section, "ClusterId"), Id(section, "ServiceId"), advertised);
    }

    private static int Port(IConfigurationSection section, string key, int fallback)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value)) return fallback;
        return int.TryParse(value, out var port) && port is > 0 and <= 65535
            ? port
            : throw new StartupException($"{Section}:{key} is '{value}'; expected a port number 1-65535.");
    }

    private static string Id(IConfigurationSection section, string key)
    {
        var value = section[key];
        if (string.IsNullOrWhiteSpace(value)) return "accounts";
        // ServiceId keys every stored row, so it must be stable and plain.
        return value.Length <= 100 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.')
            ? value
            : throw new StartupException($"{Section}:{key} must be 1-100 characters of letters, digits, '-', '_' or '.'.");
    }
}

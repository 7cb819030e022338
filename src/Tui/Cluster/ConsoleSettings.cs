using Accounts.Orleans.Client;
using Microsoft.Extensions.Configuration;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Tui.Cluster;

/// <summary>
/// How the console finds the cluster (<see cref="ClusterSettings"/>, as every client does), the certificate it proves
/// itself with and the API key it acts as (the embedded Host's console certificate and key by default), and the
/// operator's name it records.
/// </summary>
public sealed record ConsoleSettings(string Operator, ClusterSettings Cluster, ClusterTls Tls, string ApiKey)
{
    public const string OperatorKey = "Accounts:Console:Operator";

    /// <exception cref="ClusterSettingsException">A setting is malformed or a certificate file missing; the message names its key.</exception>
    public static ConsoleSettings From(IConfiguration configuration)
    {
        var operatorId = configuration[OperatorKey] is { Length: > 0 } configured
            ? configured
            : $"{Environment.UserName}@{Environment.MachineName}";
        if (operatorId.Length > 128 || PrintableText.HasHiddenCharacters(operatorId))
            throw new ClusterSettingsException($"{OperatorKey} must be at most 128 printable characters.");
        var cluster = ClusterSettings.Read(configuration);
        return new ConsoleSettings($"console:{operatorId}", cluster, ClusterTls.Load(cluster.Tls, ClusterRole.Client), cluster.ApiKey!.Load());
    }
}

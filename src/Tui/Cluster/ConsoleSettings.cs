using Accounts.Orleans.Client;
using Microsoft.Extensions.Configuration;
using Accounts.Orleans.Contracts.Text;

namespace Accounts.Orleans.Tui.Cluster;

/// <summary>How the console finds the cluster (<see cref="ClusterSettings"/>, as every client does) and whom it acts as.</summary>
public sealed record ConsoleSettings(string Operator, ClusterSettings Cluster)
{
    public const string OperatorKey = "Accounts:Console:Operator";

    /// <exception cref="ClusterSettingsException">A setting is malformed; the message names its key.</exception>
    public static ConsoleSettings From(IConfiguration configuration)
    {
        var operatorId = configuration[OperatorKey] is { Length: > 0 } configured
            ? configured
            : $"{Environment.UserName}@{Environment.MachineName}";
        if (operatorId.Length > 128 || PrintableText.HasHiddenCharacters(operatorId))
            throw new ClusterSettingsException($"{OperatorKey} must be at most 128 printable characters.");
        return new ConsoleSettings($"console:{operatorId}", ClusterSettings.Read(configuration));
    }
}

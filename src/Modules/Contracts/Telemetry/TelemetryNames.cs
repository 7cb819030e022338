namespace Accounts.Orleans.Contracts.Telemetry;

/// <summary>The service's own meter and activity source; every module reports on these, the Host exports them.</summary>
public static class TelemetryNames
{
    public const string Meter = "Accounts.Orleans";
    public const string ActivitySource = "Accounts.Orleans";
}

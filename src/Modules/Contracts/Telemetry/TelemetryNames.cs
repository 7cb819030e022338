namespace Accounts.Orleans.Contracts.Telemetry;

/// <summary>The service's own meter and activity source; every module reports on these, the Host exports them.</summary>
public static class TelemetryNames
{
    public const string Meter = "Accounts.Orleans";
    public const string ActivitySource = "Accounts.Orleans";

    /// <summary>
    /// Marks a call to an app that carries credentials: its span keeps the host and drops the path and query, where
    /// some apps take the key (<c>/bot&lt;token&gt;/getMe</c>).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Credentialed = new("accounts.credentialed");
}

using System.Diagnostics.Metrics;

namespace Accounts.Orleans.Catalog;

/// <summary>The catalog's own instruments on the service meter.</summary>
public sealed class CatalogMetrics
{
    public const string MeterName = Contracts.Telemetry.TelemetryNames.Meter;

    private readonly Counter<long> _requests;
    private readonly Counter<long> _snapshots;

    public CatalogMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("accounts.catalog.app_requests", "{submission}", "App-request submissions by outcome");
        _snapshots = meter.CreateCounter<long>("accounts.catalog.snapshot_loads", "{snapshot}", "Catalog snapshots loaded by per-silo readers");
    }

    public void RequestSubmitted(AppRequestOutcomeKind outcome)
        => _requests.Add(1, new KeyValuePair<string, object?>("outcome", outcome switch
        {
            AppRequestOutcomeKind.Created => "created",
            AppRequestOutcomeKind.Voted => "voted",
            _ => "already_voted",
        }));

    public void SnapshotLoaded() => _snapshots.Add(1);
}

using System.Globalization;
using Accounts.Orleans.Contracts.Cluster;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>Which silos are up, the storage profile and the version, as the silo the console reached sees them.</summary>
public sealed class ClusterScreen : ConsoleScreen
{
    private readonly string _gateways;
    private readonly Label _summary = new() { X = 0, Y = 0, Width = Dim.Fill(), Height = 7, HotKeySpecifier = (System.Text.Rune)0xffff };
    private readonly TableView _silos = new() { X = 0, Y = 8, Width = Dim.Fill(), Height = Dim.Fill(1), FullRowSelect = true };
    private readonly Label _status = new() { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Text = "Loading…", HotKeySpecifier = (System.Text.Rune)0xffff };

    public ClusterScreen(ConsoleSession session, string gateways) : base(session, "Cluster")
    {
        _gateways = gateways;
        Add(_summary, _silos, _status);
        Actions = [new(Key.R.WithCtrl, "Reload", "_Reload", LoadAsync)];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    public string Summary => _summary.Text;

    public override async Task LoadAsync()
    {
        try
        {
            Show(await Session.Grains.GetGrain<IClusterStatusGrain>(0).GetStatusAsync());
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            _status.Text = $"Cannot reach the cluster through {_gateways}: {ErrorText.Describe(e)}";
        }
    }

    private void Show(ClusterStatus status)
    {
        _summary.Text = string.Join('\n',
            $"Cluster: {status.ClusterId} (service {status.ServiceId})",
            $"Storage: {status.StorageProfile} – {status.StorageLocation}",
            $"Version: {status.Version}",
            $"Silos up: {status.Silos.Count}",
            $"Console: {Session.Operator} through {_gateways}",
            $"Answered by: {status.AnsweredBy}");
        var now = Session.Clock.GetUtcNow();
        _silos.Table = new EnumerableTableSource<SiloView>(status.Silos, new()
        {
            ["Silo"] = silo => silo.Name,
            ["Address"] = silo => silo.Address,
            ["Status"] = silo => silo.Status,
            ["Started"] = silo => ListTime.Since(silo.StartedAt, now),
            ["Last heartbeat"] = silo => silo.LastHeartbeat is { } beat ? ListTime.Since(beat, now) : "",
        });
        _status.Text = $"Updated {now.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)}; refreshes while shown.";
    }
}

using System.Diagnostics;
using System.Globalization;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Storage.Faults.Bench;

/// <summary>
/// The runs that measure what a workflow engine and the app see when storage or a silo fails under a refresh storm:
/// refresh tokens presented twice (each burns its chain), accounts that end up needing a person to reconnect, and
/// failures that reached the engine untyped.
/// </summary>
public static class FaultRuns
{
    /// <summary>PostgreSQL restarted again and again while accounts rotate their tokens every few seconds under load.</summary>
    public static async Task<int> RestartAsync(int accounts, int readers, int restarts)
    {
        await using var cluster = await RotatingCluster.StartAsync(lifetimeSeconds: 6, marginSeconds: 3);
        await cluster.ConnectAsync(accounts);
        // Answers that take a moment keep refreshes in flight when the database goes away.
        cluster.App.AnswerDelay = TimeSpan.FromMilliseconds(300);
        using var load = new Readers(cluster, readers);
        load.Start();
        var downtimes = new List<TimeSpan>();
        for (var i = 0; i < restarts; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(8));
            var clock = Stopwatch.StartNew();
            await cluster.Postgres.StopAsync();
            await cluster.Postgres.StartAsync();
            downtimes.Add(clock.Elapsed);
        }
        await Task.Delay(TimeSpan.FromSeconds(10));
        await load.StopAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PostgreSQL restarted {restarts} time(s) (down {string.Join(", ", downtimes.Select(d => $"{d.TotalSeconds:F2} s"))}) under {readers} readers of {accounts} rotating accounts on 2 silos:"));
        return await ReportAsync(cluster, load);
    }

    /// <summary>The silo hosting most accounts killed (SIGKILL) during a refresh storm.</summary>
    public static async Task<int> KillAsync(int accounts, int readers, int reuseGraceSeconds)
    {
        await using var cluster = await RotatingCluster.StartAsync(lifetimeSeconds: 5, marginSeconds: 3, reuseGraceSeconds);
        await cluster.ConnectAsync(accounts);
        cluster.App.AnswerDelay = TimeSpan.FromMilliseconds(300);
        using var load = new Readers(cluster, readers);
        load.Start();
        await Task.Delay(TimeSpan.FromSeconds(10));

        var statistics = await cluster.Client.Grains.GetGrain<IManagementGrain>(0).GetDetailedGrainStatistics();
        var hosting = statistics.Where(s => s.GrainId.Type.ToString() == "accounts.account")
            .GroupBy(s => s.SiloAddress.Endpoint.Port).OrderByDescending(g => g.Count()).First();
        var victim = cluster.Silos.Single(s => s.SiloPort == hosting.Key);
        var inFlight = cluster.Endpoint.AnswersInProgress;
        victim.Kill();
        var killedAt = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(40));
        await load.StopAsync();

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Killed the silo hosting {hosting.Count()} of {accounts} rotating accounts with {inFlight} refresh answer(s) in flight, under {readers} readers; load ran {killedAt.Elapsed.TotalSeconds:F0} s past the kill; the app's reuse window: {reuseGraceSeconds} s:"));
        return await ReportAsync(cluster, load);
    }

    private static async Task<int> ReportAsync(RotatingCluster cluster, Readers load)
    {
        // Held rotations are written within a few seconds of storage coming back; then every account says where it stands.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var summaries = new List<AccountSummary>();
        foreach (var id in cluster.Accounts) summaries.Add(await cluster.Client.Grains.GetGrain<IConnectedAccountGrain>(id).GetAsync());
        var reconnect = summaries.Where(s => s.Health == AccountHealth.NeedsReconnect).ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  refreshes at the app: {cluster.App.Refreshes:N0}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  rotations held in memory because storage refused them: {cluster.Logged("storage has not accepted them yet")}, stored later: {cluster.Logged("rotated tokens stored after")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  unfinished refreshes found by a new activation: {cluster.Logged("never stored its answer")}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  refresh tokens presented twice: {cluster.App.PresentedTwice.Count} (chains revoked: {cluster.App.RevokedChains})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  accounts ending needs_reconnect: {reconnect.Length} ({reconnect.Count(s => s.HealthReason?.Contains("did not finish", StringComparison.Ordinal) == true)} saying a rotation was lost)"));
        // Expiring (past its refresh time, not refreshed yet) is as usable as healthy: nobody has read it since the load stopped.
        Console.WriteLine($"  accounts healthy or expiring: {summaries.Count(s => s.Health is AccountHealth.Healthy or AccountHealth.Expiring)}");
        load.Report(Console.Out);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  untyped failures: {load.Untyped}"));
        return 0;
    }
}

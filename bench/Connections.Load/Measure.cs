using System.Diagnostics;

namespace Accounts.Orleans.Connections.Load;

/// <summary>Closed-loop load: a fixed number of workers call as fast as they can for a fixed time.</summary>
public static class Measure
{
    public sealed record Result(string Name, long Calls, TimeSpan Elapsed, double P50Microseconds, double P99Microseconds)
    {
        public double PerSecond => Calls / Elapsed.TotalSeconds;

        public override string ToString() => $"{Name,-38} {PerSecond,12:N0} calls/s   p50 {P50Microseconds,8:N0} us   p99 {P99Microseconds,8:N0} us";
    }

    public static async Task<Result> LoadAsync(string name, Func<Task> call, int workers, TimeSpan duration)
    {
        for (var i = 0; i < 200; i++) await call();
        var latencies = new List<long>[workers];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var mine = latencies[w] = new List<long>(100_000);
            while (clock.Elapsed < duration)
            {
                var start = Stopwatch.GetTimestamp();
                await call();
                mine.Add(Stopwatch.GetTimestamp() - start);
            }
        }));
        var elapsed = clock.Elapsed;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new Result(name, all.Length, elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    public static double Percentile(long[] sortedTicks, double p)
        => sortedTicks.Length == 0 ? 0 : sortedTicks[Math.Min(sortedTicks.Length - 1, (int)(p * sortedTicks.Length))] * 1_000_000d / Stopwatch.Frequency;
}

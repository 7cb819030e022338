using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Storage.Faults.Bench;

/// <summary>
/// Workflow steps reading credentials as fast as they can, each from a random account, and what they got: a current
/// token, a typed error from the service's contracts, an Orleans error while the cluster reconfigures, or anything else.
/// </summary>
public sealed class Readers(RotatingCluster cluster, int count) : IDisposable
{
    private readonly ConcurrentDictionary<string, int> _outcomes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _untypedSamples = new();
    private readonly CancellationTokenSource _stop = new();
    private Task[] _running = [];
    private long _served;

    public long Served => Interlocked.Read(ref _served);

    public void Start()
    {
        _running = Enumerable.Range(0, count).Select(seed => Task.Run(() => ReadAsync(seed))).ToArray();
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running);
    }

    public void Dispose() => _stop.Dispose();

    public int Untyped => _outcomes.Where(o => o.Key.StartsWith("untyped ", StringComparison.Ordinal)).Sum(o => o.Value);

    public void Report(TextWriter output)
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  reads served: {Served:N0}"));
        foreach (var (outcome, times) in _outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {outcome}: {times:N0}"));
        foreach (var sample in _untypedSamples.Take(5)) output.WriteLine($"    e.g. {sample}");
    }

    private async Task ReadAsync(int seed)
    {
        var random = new Random(seed);
        var request = new CredentialRequest(RotatingCluster.Workspace, RotatingCluster.Step.WorkflowId, RotatingCluster.Step.StepId);
        while (!_stop.IsCancellationRequested)
        {
            var id = cluster.Accounts[random.Next(cluster.Accounts.Count)];
            try
            {
                await cluster.Client.Grains.GetGrain<IConnectedAccountGrain>(id).GetCredentialsAsync(request);
                Interlocked.Increment(ref _served);
            }
            catch (Exception e)
            {
                var kind = e.GetType().Namespace?.StartsWith("Accounts.Orleans.Contracts", StringComparison.Ordinal) == true ? "typed"
                    : e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException or global::Orleans.Runtime.Messaging.ConnectionFailedException ? "cluster reconfiguring"
                    : "untyped";
                _outcomes.AddOrUpdate($"{kind} {e.GetType().Name}", 1, (_, n) => n + 1);
                if (kind == "untyped" && _untypedSamples.Count < 20) _untypedSamples.Enqueue($"{e.GetType().FullName}: {e.Message.Split('\n')[0]}");
                // A failing account is not hammered by the same worker in a tight loop.
                await Task.Delay(50);
            }
        }
    }
}

using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>An embedded Host on the shipped catalog, with its data in a directory of its own.</summary>
internal sealed class EmbeddedHost : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private EmbeddedHost(TempDirectory data, RunningHost host)
    {
        _data = data;
        Host = host;
    }

    public RunningHost Host { get; }

    public IGrainFactory Grains => Host.Grains;

    public static async Task<EmbeddedHost> StartAsync(Action<Dictionary<string, string?>>? adjust = null)
    {
        var data = new TempDirectory();
        try
        {
            var settings = RunningHost.Sqlite(data.Path);
            // The console asks the catalog readers for the revision of its own changes; no shorter interval is needed.
            adjust?.Invoke(settings);
            return new EmbeddedHost(data, await RunningHost.StartAsync(settings));
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Hosting;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Catalog.Benchmarks;

/// <summary>
/// Catalog reads through a real embedded Host: over HTTP, through the per-silo cached reader, and (for comparison)
/// fetching the full snapshot from the catalog grain, which is what every read would cost without the reader.
/// </summary>
[MemoryDiagnoser]
public class CatalogReadPathBenchmarks
{
    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private IAppCatalogReaderGrain _reader = null!;
    private IAppCatalogGrain _catalog = null!;
    private string _data = "";

    [GlobalSetup]
    public void Setup()
    {
        _data = Directory.CreateTempSubdirectory("accounts-bench-").FullName;
        _app = AccountsHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Accounts:Storage:DataDirectory"] = _data,
                ["Accounts:Cluster:SiloPort"] = "21311",
                ["Accounts:Cluster:GatewayPort"] = "21312",
                ["Logging:LogLevel:Default"] = "Warning",
                ["urls"] = "http://127.0.0.1:21380",
            });
        });
        AccountsHost.StartAsync(_app).GetAwaiter().GetResult();
        _http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:21380") };
        var grains = _app.Services.GetRequiredService<IGrainFactory>();
        _reader = grains.GetGrain<IAppCatalogReaderGrain>(0);
        _catalog = grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _app.StopAsync().GetAwaiter().GetResult();
        _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        Directory.Delete(_data, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public Task<AppDefinition?> Reader_get_app() => _reader.GetAppAsync("slack");

    [Benchmark]
    public Task<AppPage> Reader_first_page_of_50() => _reader.ListAppsAsync(new AppQuery { Limit = 50 });

    [Benchmark]
    public Task<CatalogSnapshot?> Catalog_grain_full_snapshot() => _catalog.GetSnapshotIfChangedAsync(-1);

    [Benchmark]
    public Task<string> Http_get_app() => _http.GetStringAsync(new Uri("/api/apps/slack", UriKind.Relative));

    [Benchmark]
    public Task<string> Http_first_page_of_50() => _http.GetStringAsync(new Uri("/api/apps?limit=50", UriKind.Relative));
}

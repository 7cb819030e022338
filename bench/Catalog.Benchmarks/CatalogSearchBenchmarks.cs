using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;
using BenchmarkDotNet.Attributes;

namespace Accounts.Orleans.Catalog.Benchmarks;

/// <summary>The pure work behind <c>GET /api/apps</c>: filtering and paging the shipped catalog in memory.</summary>
[MemoryDiagnoser]
public class CatalogSearchBenchmarks
{
    private CatalogComposition _catalog = null!;
    private string _middleCursor = "";

    [GlobalSetup]
    public void Setup()
    {
        _catalog = CatalogComposition.Compose(1, ShippedCatalog.ReadSeed(), [], [], new Dictionary<string, bool>());
        _middleCursor = AppSearch.EncodeCursor(_catalog.Apps[_catalog.Apps.Count / 2].Slug);
    }

    [Benchmark(Baseline = true)]
    public AppDefinition? Find_by_slug() => _catalog.Find("slack");

    [Benchmark]
    public AppPage First_page_of_50() => AppSearch.Run(_catalog, new AppQuery { Limit = 50 });

    [Benchmark]
    public AppPage Page_after_a_cursor() => AppSearch.Run(_catalog, new AppQuery { Limit = 50, Cursor = _middleCursor });

    [Benchmark]
    public AppPage Text_search() => AppSearch.Run(_catalog, new AppQuery { Text = "mail", Limit = 50 });

    [Benchmark]
    public AppPage Everything() => AppSearch.Run(_catalog, new AppQuery { Limit = AppQuery.MaxLimit });
}

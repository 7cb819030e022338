using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Accounts.Orleans.Catalog.Benchmarks.CatalogSearchBenchmarks).Assembly).Run(args);

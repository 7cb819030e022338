using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Accounts.Orleans.Signing.Benchmarks.SigningBenchmarks).Assembly).Run(args);

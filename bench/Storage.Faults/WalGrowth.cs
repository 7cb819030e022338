using System.Diagnostics;
using System.Globalization;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Storage.Faults.Bench;

/// <summary>
/// Creates key accounts one after another on the embedded profile through an Orleans client, as a workflow engine
/// importing accounts would, and samples the size of SQLite's write-ahead log beside the database as it goes.
/// </summary>
public static class WalGrowth
{
    public static async Task<int> RunAsync(int accounts, int writers, int readers, int snapshotSeconds)
    {
        var data = Directory.CreateTempSubdirectory("accounts-wal-").FullName;
        try
        {
            await using var keyApp = await LoopbackKeyApp.StartAsync("lk_0123456789abcdef0123");
            var settings = RunningHost.Sqlite(data);
            settings["Logging:LogLevel:Default"] = "Warning";
            TestCatalog.AddTo(settings, keyApp.Definition);
            var app = RunningHost.Build(settings);
            await using var _ = app;
            await AccountsHost.StartAsync(app);
            var cluster = app.Services.GetRequiredService<Accounts.Orleans.Client.ClusterSettings>();
            await using var client = await ExternalClient.ConnectAsync(cluster.GatewayPort, TestCertificates.EmbeddedClient(data), TestCertificates.EmbeddedAdminKey(data), cluster.ClusterId, cluster.ServiceId);
            var connector = client.Grains.GetGrain<IAccountConnectorGrain>(0);

            var database = Path.Combine(data, "accounts.db");
            long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : 0;
            long largestWal = 0;
            var created = 0;
            var clock = Stopwatch.StartNew();
            using var done = new CancellationTokenSource();
            Console.WriteLine($"{accounts:N0} key accounts by {writers} writer(s) one after another, while {readers} reader(s) list the accounts screen's first page"
                + (snapshotSeconds > 0 ? $" and another process holds a read snapshot {snapshotSeconds} s at a time:" : ":"));
            Console.WriteLine($"{"accounts",9} {"seconds",8} {"per s",7} {"db MB",7} {"wal MB",7}");
            var listing = Enumerable.Range(0, readers).Select(async _ =>
            {
                var directory = client.Grains.GetGrain<IAccountDirectoryGrain>(0);
                while (!done.IsCancellationRequested) await directory.ListAsync(new AccountQuery { WorkspaceId = "ws_wal", Limit = 200 });
            }).ToArray();
            // Another process reading the file (a backup, a scanner) holds a snapshot for a while, then lets go.
            var snapshots = snapshotSeconds <= 0 ? Task.CompletedTask : Task.Run(async () =>
            {
                while (!done.IsCancellationRequested)
                {
                    await using var reader = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
                    await reader.OpenAsync();
                    await using var transaction = reader.BeginTransaction(deferred: true);
                    await using var count = reader.CreateCommand();
                    count.Transaction = transaction;
                    count.CommandText = "SELECT count(*) FROM accounts_grain_state;";
                    await count.ExecuteScalarAsync();
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(snapshotSeconds), done.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // The import is over.
                    }
                    await transaction.CommitAsync();
                    await Task.Delay(1000);
                }
            });
            var importing = Enumerable.Range(0, writers).Select(async _ =>
            {
                for (var i = Interlocked.Increment(ref created); i <= accounts; i = Interlocked.Increment(ref created))
                {
                    await connector.ConnectWithKeysAsync(new KeyConnectRequest
                    {
                        WorkspaceId = "ws_wal", AppSlug = LoopbackKeyApp.Slug, Nickname = $"Imported {i}",
                        Fields = new Dictionary<string, string> { ["api_key"] = keyApp.ValidKey }, Actor = "bench",
                    });
                    if (i % 250 == 0) InterlockedMax(ref largestWal, Size(database + "-wal"));
                    if (i % 5000 == 0)
                    {
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{i,9:N0} {clock.Elapsed.TotalSeconds,8:F0} {i / clock.Elapsed.TotalSeconds,7:F0} {Size(database) / 1e6,7:F1} {Size(database + "-wal") / 1e6,7:F1}"));
                    }
                }
            }).ToArray();
            await Task.WhenAll(importing);
            await done.CancelAsync();
            await Task.WhenAll(listing);
            await snapshots;
            // What stays on disk once the load is over and every reader has let go.
            await Task.Delay(TimeSpan.FromSeconds(5));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"largest write-ahead log seen: {largestWal / 1e6:F1} MB (sampled every 250 accounts); 5 s after the end {Size(database + "-wal") / 1e6:F1} MB beside {Size(database) / 1e6:F1} MB"));
            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen) return;
        }
    }
}

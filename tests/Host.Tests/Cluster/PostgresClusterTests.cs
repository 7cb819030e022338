using Accounts.Orleans.Client;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Api;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Tests.Cluster;

/// <summary>Two Host processes on one PostgreSQL form one cluster, and survive the loss of either.</summary>
public sealed class PostgresClusterTests(PostgresServer postgres)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_hosts_form_one_cluster_and_the_catalog_is_writable_again_within_30_seconds_after_one_is_killed()
    {
        var connectionString = await postgres.CreateDatabaseAsync();
        var environment = new Dictionary<string, string>
        {
            ["Accounts__Storage__Provider"] = "Postgres",
            ["ConnectionStrings__Accounts"] = connectionString,
            ["Accounts__Cluster__ClusterId"] = "failover",
            ["Accounts__Cluster__AdvertisedAddress"] = "127.0.0.1",
            ["Accounts__Vault__KeyRingFile"] = RunningHost.KeyRingFileFor(connectionString),
        };
        await using var first = HostProcess.Start(environment);
        await using var second = HostProcess.Start(environment);
        await Task.WhenAll(first.WaitHealthyAsync(StartTimeout), second.WaitHealthyAsync(StartTimeout));

        // One cluster: a request written through one Host is the same request read through the other.
        using (var created = await first.Http.PostAsJsonAsync("/api/app-requests", new { name = "Before Failover", requestedBy = "a@example.com" }, TestContext.Current.CancellationToken))
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        using (var voted = await second.Http.PostAsJsonAsync("/api/app-requests", new { name = "before failover", requestedBy = "b@example.com" }, TestContext.Current.CancellationToken))
            Assert.Equal(2, (await voted.Content.ReadFromJsonAsync<AppRequestView>(ApiJson.Options, TestContext.Current.CancellationToken))!.Votes);

        var catalogSiloPort = await FindCatalogSiloPortAsync(connectionString, "failover");
        var (victim, survivor) = catalogSiloPort == first.SiloPort ? (first, second) : (second, first);
        Assert.Equal(catalogSiloPort, victim.SiloPort);

        victim.Kill();
        var clock = Stopwatch.StartNew();
        var recovered = await WaitUntilWritableAsync(survivor, TimeSpan.FromSeconds(60));
        TestContext.Current.TestOutputHelper?.WriteLine($"Catalog writable again {recovered.TotalSeconds:F1} s after the kill.");

        Assert.True(recovered < TimeSpan.FromSeconds(30), $"took {recovered}");
        var requests = await survivor.Http.GetFromJsonAsync<AppRequestListView>("/api/app-requests", ApiJson.Options, TestContext.Current.CancellationToken);
        Assert.Contains(requests!.Items, r => r.Name == "Before Failover" && r.Votes == 2);
        using var apps = await survivor.Http.GetAsync(new Uri("/api/apps?limit=5", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, apps.StatusCode);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));
    }

    /// <summary>Asks the cluster, as an Orleans client would (the console does the same), where the catalog grain lives.</summary>
    private static async Task<int> FindCatalogSiloPortAsync(string connectionString, string clusterId)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.UseOrleansClient(client =>
        {
            client.UseAdoNetClustering(o =>
            {
                o.Invariant = "Npgsql";
                o.ConnectionString = connectionString;
            });
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = "accounts";
            });
            client.UseClusterTls(TestCertificates.SharedClient());
            client.UseApiKey(File.ReadAllText(TestCertificates.AdminKeyFileFor(connectionString)).Trim());
        });
        using var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        try
        {
            var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
            var hosts = await management.GetHosts(onlyActive: true);
            Assert.Equal(2, hosts.Count);
            var statistics = await management.GetDetailedGrainStatistics();
            return statistics.Single(s => s.GrainId.Type.ToString() == "accounts.catalog").SiloAddress.Endpoint.Port;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static async Task<TimeSpan> WaitUntilWritableAsync(HostProcess survivor, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 0; clock.Elapsed < limit; attempt++)
        {
            try
            {
                using var response = await survivor.Http.PostAsJsonAsync("/api/app-requests",
                    new { name = $"After Failover {attempt}", requestedBy = "c@example.com" }, TestContext.Current.CancellationToken);
                if (response.StatusCode == HttpStatusCode.Created) return clock.Elapsed;
            }
            catch (TaskCanceledException)
            {
                // The survivor's call to the dead silo timed out on our side; try again.
            }
            await Task.Delay(250, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException($"The catalog was not writable within {limit}: {survivor.Output}");
    }
}

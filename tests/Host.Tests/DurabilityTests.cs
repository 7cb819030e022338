using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Api;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using System.Net.Http.Json;

namespace Accounts.Orleans.Host.Tests;

public sealed class DurabilityTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task App_requests_and_operator_changes_survive_a_full_host_restart(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        var created = await host.Http.PostAsJsonAsync("/api/app-requests",
            new { name = "Frobnicator", url = "https://frobnicator.example", reason = "we use it", requestedBy = "ana@example.com" },
            TestContext.Current.CancellationToken);
        var requestId = (await created.Content.ReadFromJsonAsync<AppRequestView>(TestContext.Current.CancellationToken))!.Id;
        await host.Http.PostAsJsonAsync("/api/app-requests",
            new { name = "frobnicator", requestedBy = "bo@example.com" }, TestContext.Current.CancellationToken);
        var catalog = host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
        await catalog.SetAppDisabledAsync("slack", disabled: true, "ops");
        await catalog.TriageRequestAsync(requestId, AppRequestStatus.Planned, null, "ops", "next sprint");

        await host.RestartAsync();
        var requests = await host.GetJsonAsync<AppRequestListView>("/api/app-requests");
        var request = Assert.Single(requests.Items);
        Assert.Equal(requestId, request.Id);
        Assert.Equal(2, request.Votes);
        Assert.Equal(AppRequestStatus.Planned, request.Status);

        var slack = await host.GetJsonAsync<AppDetailView>("/api/apps/slack");
        Assert.True(slack.Disabled);
        var history = (await host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).ListRequestsAsync(new AppRequestQuery())).Items[0].History;
        Assert.Equal("next sprint", Assert.Single(history).Note);
    }
}

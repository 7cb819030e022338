using System.Text;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

using Accounts.Orleans.Host.Tests.Accounts;

namespace Accounts.Orleans.Host.Tests.Storage;

/// <summary>Our SQL against the Orleans grain-storage contract, on both engines, through the provider the Host configures.</summary>
public sealed class GrainStorageTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task A_write_with_a_stale_etag_is_refused_and_the_stored_state_stays(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        var grains = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var id = GrainId.Create("test-state", Guid.NewGuid().ToString("N"));

        var first = new GrainState<Probe>(new Probe("one"));
        await grains.WriteStateAsync("probe", id, first);
        var stale = new GrainState<Probe>(new Probe("stale")) { ETag = first.ETag };
        await grains.WriteStateAsync("probe", id, new GrainState<Probe>(new Probe("two")) { ETag = first.ETag });

        await Assert.ThrowsAsync<InconsistentStateException>(() => grains.WriteStateAsync("probe", id, stale));
        var read = new GrainState<Probe>();
        await grains.ReadStateAsync("probe", id, read);
        Assert.Equal("two", read.State?.Value);
        Assert.True(read.RecordExists);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Two_first_writes_of_the_same_grain_let_exactly_one_win(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        var grains = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var id = GrainId.Create("test-state", Guid.NewGuid().ToString("N"));

        var results = await Task.WhenAll(Enumerable.Range(0, 2).Select(i => Task.Run(async () =>
        {
            try
            {
                await grains.WriteStateAsync("probe", id, new GrainState<Probe>(new Probe($"writer {i}")));
                return true;
            }
            catch (InconsistentStateException)
            {
                return false;
            }
        })));

        Assert.Single(results, won => won);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task A_cleared_state_reads_back_as_new_and_keeps_its_version_chain(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        var grains = host.Services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Grains);
        var id = GrainId.Create("test-state", Guid.NewGuid().ToString("N"));
        var state = new GrainState<Probe>(new Probe("one"));
        await grains.WriteStateAsync("probe", id, state);

        await grains.ClearStateAsync("probe", id, state);
        var read = new GrainState<Probe>();
        await grains.ReadStateAsync("probe", id, read);

        Assert.Null(read.State?.Value);
        Assert.False(read.RecordExists);
        await grains.WriteStateAsync("probe", id, new GrainState<Probe>(new Probe("again")) { ETag = state.ETag });
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Stored_grain_state_is_json_that_names_no_clr_type(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        await host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).SetAppDisabledAsync("github", disabled: true, "ops");
        await host.StopHostAsync();

        await using var database = new AccountsDatabase(host.Storage);
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT payload FROM accounts_grain_state WHERE payload IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var payloads = new List<string>();
        while (await reader.ReadAsync(TestContext.Current.CancellationToken)) payloads.Add(Encoding.UTF8.GetString((byte[])reader.GetValue(0)));

        var request = Assert.Single(payloads, p => p.Contains("github", StringComparison.Ordinal));
        Assert.StartsWith("{", request, StringComparison.Ordinal);
        Assert.DoesNotContain("$type", request, StringComparison.Ordinal);
        Assert.DoesNotContain("Accounts.Orleans", request, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", request, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task A_vote_adds_one_row_and_a_repeated_vote_writes_nothing(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).StartAsync();
        var catalog = host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
        await using var database = new AccountsDatabase(host.Storage);
        async Task<string> StoredAsync() => string.Join(" | ",
            await SchemaMigrationTests.CountAsync(database, "SELECT COALESCE(SUM(version), 0) FROM accounts_grain_state"),
            await SchemaMigrationTests.CountAsync(database, "SELECT COUNT(*) FROM catalog_app_request_votes"),
            await SchemaMigrationTests.CountAsync(database, "SELECT SUM(votes) + SUM(updated_at_ms) FROM catalog_app_requests"));

        await catalog.SubmitRequestAsync(new AppRequestSubmission("Frobnicator", "https://frobnicator.example", "for tests", "ops@example.com"));
        await catalog.SubmitRequestAsync(new AppRequestSubmission("Frobnicator", null, null, "dev@example.com"));
        var voted = await StoredAsync();
        var again = await catalog.SubmitRequestAsync(new AppRequestSubmission("frobnicator", null, "still want it", "DEV@example.com"));

        Assert.Equal(AppRequestOutcomeKind.AlreadyVoted, again.Kind);
        Assert.Equal(2, again.Request.Votes);
        Assert.Equal(voted, await StoredAsync());
        Assert.Equal(2, await SchemaMigrationTests.CountAsync(database, "SELECT COUNT(*) FROM catalog_app_request_votes"));
        // Who voted is kept only as a hash: the table holds no e-mail address.
        Assert.DoesNotContain("@example.com", await SecretScan.StoredTextAsync(host.Storage), StringComparison.Ordinal);
    }

    public sealed record Probe(string Value);
}

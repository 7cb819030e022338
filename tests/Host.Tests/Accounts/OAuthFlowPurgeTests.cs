using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Old authorization flows are deleted from grain storage; nothing else is.</summary>
public sealed class OAuthFlowPurgeTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    [Theory, MemberData(nameof(Engines))]
    public async Task Flows_are_kept_for_their_retention_then_deleted_and_no_other_state_goes_with_them(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithFakeTokenEndpoint().StartAsync();
        var purge = host.Host.Services.GetRequiredService<ExpiredFlowPurge>();
        var ct = TestContext.Current.CancellationToken;
        var completed = await host.StartFlowAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        using (var page = await host.CallbackAsync($"state={completed.State}&code=any-code")) Assert.True(page.IsSuccessStatusCode);
        await host.StartFlowAsync();  // abandoned at the consent screen
        var before = await CountAsync(host, ct);

        var withinRetention = await purge.PurgeAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(23), ct);
        var afterRetention = await purge.PurgeAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(25), ct);
        var again = await purge.PurgeAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(25), ct);
        var after = await CountAsync(host, ct);

        Assert.Equal(0, withinRetention);
        Assert.Equal(2, afterRetention);
        Assert.Equal(0, again);
        Assert.Equal(2, before.GetValueOrDefault(OAuthFlowGrain.StateName));
        Assert.False(after.ContainsKey(OAuthFlowGrain.StateName));
        Assert.Equal(before.Where(kv => kv.Key != OAuthFlowGrain.StateName), after);
        Assert.Contains(after, kv => kv.Value > 0);  // the account the completed flow made is still stored
        var account = (await host.Host.Grains.OAuthFlow(completed.State).GetViewAsync()).AccountId;
        Assert.Equal(AccountHealth.Healthy, (await host.Account(account!).GetAsync()).Health);
    }

    /// <summary>Stored states by name, straight from the table.</summary>
    private static async Task<Dictionary<string, long>> CountAsync(TestHost host, CancellationToken ct)
    {
        var database = host.Host.Services.GetRequiredService<AccountsDatabase>();
        await using var connection = await database.OpenAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_type, COUNT(*) FROM accounts_grain_state GROUP BY grain_type ORDER BY grain_type;";
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync(ct)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }
}

using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Npgsql;

namespace Accounts.Orleans.Host.Tests.Faults;

/// <summary>What a caller and the operator see when PostgreSQL refuses the silo's connections.</summary>
public sealed class StorageOutageTests(PostgresServer postgres)
{
    [Fact]
    public async Task Too_many_clients_reaches_a_client_as_the_typed_storage_error_and_the_host_logs_the_cause_once_per_failure()
    {
        var (database, connectionString) = await CreateDatabaseOwnedByAnAppRoleAsync();
        var settings = RunningHost.Postgres(connectionString, clusterId: "too-many-clients");
        settings["Accounts:Storage:MaxPoolSize"] = "4";
        await using var host = await RunningHost.StartAsync(settings, builder => builder.Logging.AddFakeLogging());
        await using var client = await host.ConnectClientAsync();
        var logs = host.Services.GetRequiredService<FakeLogCollector>();

        await AdminAsync($"ALTER DATABASE {database} CONNECTION LIMIT 0; SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{database}';");
        var failures = new List<Exception>();
        StorageUnavailableException listing;
        try
        {
            for (var attempt = 0; attempt < 20 && !logs.GetSnapshot().Any(r => r.Message.Contains("53300", StringComparison.Ordinal)); attempt++)
            {
                var id = AccountIds.New(TimeProvider.System);
                failures.Add(await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IConnectedAccountGrain>(id).GetAsync()));
                // Orleans adds its own lines about the failed activation; only one line may carry the database's cause.
                var told = logs.GetSnapshot().Where(r => (r.Message + r.Exception).Contains(id, StringComparison.Ordinal)).ToArray();
                var causes = told.Where(r => (r.Message + r.Exception).Contains("PostgreSQL 5", StringComparison.Ordinal)).ToArray();
                Assert.True(causes.Length == 1 && causes[0].Level == LogLevel.Warning,
                    $"the cause of the failed read of {id} was logged {causes.Length} time(s): {string.Join(" | ", told.Select(r => $"{r.Category}: {r.Message}"))}");
                Assert.All(told, r => Assert.True(r.Exception is null or StorageUnavailableException, $"{r.Category} logged {r.Exception?.GetType()}"));
            }
            listing = await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery()));
        }
        finally
        {
            await AdminAsync($"ALTER DATABASE {database} CONNECTION LIMIT -1;");
        }

        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Warning && r.Message.Contains("PostgreSQL 53300", StringComparison.Ordinal));
        Assert.All(failures.Append(listing), e => Assert.Null(e.InnerException));
        // Orleans' membership refresh, when its timer falls into the outage, logs the clustering provider's exception
        // itself and retries: its line, not ours to shape. Everything of the service's own must carry none.
        var leaked = logs.GetSnapshot().Where(r => r.Exception?.GetType().Namespace?.StartsWith("Npgsql", StringComparison.Ordinal) == true
                                                   && r.Category?.StartsWith("Orleans.Runtime.MembershipService", StringComparison.Ordinal) != true).ToArray();
        Assert.True(leaked.Length == 0, string.Join(" | ", leaked.Select(r => $"{r.Category}: {r.Message}")));
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery());
                return true;
            }
            catch (StorageUnavailableException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "storage to answer again");
    }

    [Fact]
    public async Task A_read_sqlite_cannot_serve_reaches_a_client_as_the_typed_storage_error()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        await using var client = await host.ConnectClientAsync();
        var files = new[] { "accounts.db", "accounts.db-wal", "accounts.db-shm" }.Select(f => Path.Combine(host.Storage.DataDirectory!, f)).ToArray();

        // The data directory's database goes away (a volume remounted, a file restored by hand): the next connections
        // open an empty file in its place.
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in files.Where(File.Exists)) File.Move(file, file + ".away");
        try
        {
            var read = await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IConnectedAccountGrain>(AccountIds.New(TimeProvider.System)).GetAsync());
            var listing = await Assert.ThrowsAsync<StorageUnavailableException>(() => client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery()));

            Assert.Null(read.InnerException);
            Assert.Null(listing.InnerException);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var file in files.Where(f => File.Exists(f + ".away"))) File.Move(file + ".away", file, overwrite: true);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        }

        Assert.Empty((await client.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery())).Items);
    }

    /// <summary>A database owned by a role that is not a superuser, so PostgreSQL's connection limits apply to it.</summary>
    private async Task<(string Database, string ConnectionString)> CreateDatabaseOwnedByAnAppRoleAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await AdminAsync($"CREATE ROLE {name} LOGIN; CREATE DATABASE {name} OWNER {name};");
        var connectionString = new NpgsqlConnectionStringBuilder(postgres.AdminConnectionString) { Database = name, Username = name, Pooling = true }.ConnectionString;
        return (name, connectionString);
    }

    private async Task AdminAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(postgres.AdminConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            await using var command = new NpgsqlCommand(statement, connection);
            await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
    }
}

using Accounts.Orleans.Storage;
using Accounts.Orleans.Storage.Sqlite;
using Accounts.Orleans.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Storage;

public sealed class WalCheckpointTests
{
    [Fact]
    public async Task A_write_ahead_log_grown_behind_a_long_reader_is_truncated_once_the_reader_lets_go()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var file = Path.Combine(host.Storage.DataDirectory!, "accounts.db");
        await using var writer = await OpenAsync(file);
        await ExecuteAsync(writer, "CREATE TABLE wal_filler (payload BLOB);");

        await using (var reader = await OpenAsync(file))
        await using (var snapshot = reader.BeginTransaction(deferred: true))
        {
            await using (var read = reader.CreateCommand())
            {
                read.Transaction = snapshot;
                read.CommandText = "SELECT count(*) FROM accounts_grain_state;";
                await read.ExecuteScalarAsync(TestContext.Current.CancellationToken);
            }
            for (var i = 0; i < 24; i++) await ExecuteAsync(writer, "INSERT INTO wal_filler (payload) VALUES (randomblob(1048576));");

            // While the snapshot is held the log cannot be truncated: it grows past the bound, and stays there.
            var checkpointer = host.Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<WalCheckpointer>().Single();
            Assert.False(await checkpointer.CheckpointAsync(file + "-wal", TestContext.Current.CancellationToken));
            Assert.True(WalBytes(file) > WalCheckpointer.MaxWalBytes, $"the log is {WalBytes(file)} bytes");
        }

        await Eventually.TrueAsync(() => WalBytes(file) < 1024 * 1024, TimeSpan.FromSeconds(20), "the write-ahead log to be truncated");
        Assert.Equal(24L, Convert.ToInt64(await ScalarAsync(writer, "SELECT count(*) FROM wal_filler;"), System.Globalization.CultureInfo.InvariantCulture));
    }

    private static long WalBytes(string database) => File.Exists(database + "-wal") ? new FileInfo(database + "-wal").Length : 0;

    private static async Task<SqliteConnection> OpenAsync(string file)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<object?> ScalarAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync(TestContext.Current.CancellationToken);
    }
}

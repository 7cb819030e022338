using System.Text;
using Accounts.Orleans.Vault;
using Accounts.Orleans.Storage;
using Npgsql;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Where a secret must never turn up, and the forms it could take there.</summary>
internal static class SecretScan
{
    /// <summary>The secret as text, as hex, and as a run of its base64 that survives any alignment (a stored base64 blob would contain it).</summary>
    public static string[] FormsOf(string secret)
        => [secret, Convert.ToHexString(Encoding.UTF8.GetBytes(secret)), Convert.ToBase64String(Encoding.UTF8.GetBytes(secret))[4..16]];

    /// <summary>Everything the store holds as text: every file of the SQLite folder, or every row of every PostgreSQL table.</summary>
    public static async Task<string> StoredTextAsync(StorageOptions storage)
    {
        if (storage.Engine == StorageEngine.Sqlite)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            var text = new StringBuilder();
            foreach (var file in Directory.GetFiles(storage.DataDirectory!).Where(f => !f.EndsWith(VaultOptions.DefaultFileName, StringComparison.Ordinal)))
            {
                var bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
                text.Append(Encoding.Latin1.GetString(bytes)).Append('\n').Append(Convert.ToHexString(bytes));
            }
            return text.ToString();
        }
        await using var connection = new NpgsqlConnection(storage.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) tables.Add(reader.GetString(0));
        }
        var rows = new StringBuilder();
        foreach (var table in tables)
        {
            await using var dump = new NpgsqlCommand($"SELECT CAST(t AS text) FROM \"{table}\" t", connection);
            await using var reader = await dump.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) rows.Append(reader.GetString(0)).Append('\n');
        }
        // A row as text shows bytea in hex, which hides whatever text (JSON grain state, say) the bytes hold: add them raw.
        var binary = new List<(string Table, string Column)>();
        await using (var list = new NpgsqlCommand("SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND data_type = 'bytea'", connection))
        await using (var reader = await list.ExecuteReaderAsync(TestContext.Current.CancellationToken))
        {
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) binary.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (table, column) in binary)
        {
            await using var dump = new NpgsqlCommand($"SELECT \"{column}\" FROM \"{table}\" WHERE \"{column}\" IS NOT NULL", connection);
            await using var reader = await dump.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken)) rows.Append(Encoding.Latin1.GetString((byte[])reader.GetValue(0))).Append('\n');
        }
        return rows.ToString();
    }
}

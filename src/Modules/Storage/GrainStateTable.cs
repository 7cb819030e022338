using System.Text.Json;

namespace Accounts.Orleans.Storage;

/// <summary>
/// Reads grain state straight from the grain-state table, for rebuilding derived tables (the account index) without
/// activating a grain, and removes state whose time has passed. Rows are matched by state name, the name a grain gives
/// its <c>[PersistentState]</c>.
/// </summary>
public sealed class GrainStateTable(AccountsDatabase database)
{
    /// <summary>
    /// Deletes every stored state of that name last written before <paramref name="cutoff"/>; the number deleted.
    /// Only for states whose grains will not write again after that long (a deleted row is a fresh grain's empty state).
    /// </summary>
    public async Task<int> DeleteWrittenBeforeAsync(string stateName, DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM accounts_grain_state WHERE grain_type = @type AND modified_on < @cutoff;";
        command.AddParameter("type", stateName);
        // SQLite keeps CURRENT_TIMESTAMP's text (UTC, to the second), which sorts as it reads.
        command.AddParameter("cutoff", database.Options.Engine == StorageEngine.Postgres
            ? cutoff.ToUniversalTime()
            : cutoff.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Every stored state of that name: the grain's string key and its state.</summary>
    public async IAsyncEnumerable<(string Key, T State)> ReadAllAsync<T>(string stateName, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT grain_id_extension, payload FROM accounts_grain_state WHERE grain_type = @type AND payload IS NOT NULL AND grain_id_extension IS NOT NULL ORDER BY grain_id_extension;";
        command.AddParameter("type", stateName);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var state = JsonSerializer.Deserialize<T>((byte[])reader.GetValue(1), JsonGrainStateSerializer.Options);
            if (state is not null) yield return (reader.GetString(0), state);
        }
    }
}

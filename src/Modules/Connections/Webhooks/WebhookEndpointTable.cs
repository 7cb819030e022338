using System.Data.Common;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>The <c>webhooks_endpoints</c> table. Every read names the workspace, so one workspace never reads another's rows.</summary>
public sealed class WebhookEndpointTable(AccountsDatabase database)
{
    private const string Columns = "endpoint_id, workspace_id, url, events, description, enabled, sealed_secret, sealed_previous, previous_until_ms, secret_hint, created_at_ms, updated_at_ms";

    /// <summary>The endpoints of a workspace, or of all workspaces when null, in id order.</summary>
    public Task<IReadOnlyList<WebhookEndpointRow>> ListAsync(string? workspaceId, CancellationToken cancellationToken)
        => QueryAsync(workspaceId is null ? "" : "WHERE workspace_id = @workspace", c => c.AddParameter("workspace", workspaceId), cancellationToken);

    public async Task<WebhookEndpointRow?> FindAsync(string workspaceId, string endpointId, CancellationToken cancellationToken)
        => (await QueryAsync("WHERE workspace_id = @workspace AND endpoint_id = @id", c =>
        {
            c.AddParameter("workspace", workspaceId);
            c.AddParameter("id", endpointId);
        }, cancellationToken)).SingleOrDefault();

    /// <summary>Several endpoints by id, whatever their workspace: for the dispatcher, which already holds their deliveries.</summary>
    public async Task<IReadOnlyDictionary<string, WebhookEndpointRow>> FindManyAsync(IReadOnlyCollection<string> endpointIds, CancellationToken cancellationToken)
    {
        if (endpointIds.Count == 0) return new Dictionary<string, WebhookEndpointRow>();
        var names = endpointIds.Select((_, i) => $"@e{i}").ToArray();
        var rows = await QueryAsync($"WHERE endpoint_id IN ({string.Join(", ", names)})", c =>
        {
            var i = 0;
            foreach (var id in endpointIds) c.AddParameter($"e{i++}", id);
        }, cancellationToken);
        return rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
    }

    public async Task<int> CountAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM webhooks_endpoints WHERE workspace_id = @workspace;";
        command.AddParameter("workspace", workspaceId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task InsertAsync(WebhookEndpointRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO webhooks_endpoints ({Columns})
            VALUES (@id, @workspace, @url, @events, @description, @enabled, @secret, @previous, @previousUntil, @hint, @created, @updated);
            """;
        Bind(command, row);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Replaces the row's settings and secrets; false when the endpoint no longer exists.</summary>
    public async Task<bool> UpdateAsync(WebhookEndpointRow row, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE webhooks_endpoints SET url = @url, events = @events, description = @description, enabled = @enabled,
                sealed_secret = @secret, sealed_previous = @previous, previous_until_ms = @previousUntil, secret_hint = @hint, updated_at_ms = @updated
            WHERE endpoint_id = @id AND workspace_id = @workspace;
            """;
        Bind(command, row);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Puts re-wrapped secrets in place of the ones <paramref name="row"/> holds, only if the row still holds them: a
    /// secret rotated meanwhile was sealed under the active key already and stays. False when it was.
    /// </summary>
    public async Task<bool> ReplaceSealedAsync(WebhookEndpointRow row, byte[] sealedSecret, byte[]? sealedPrevious, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Null compares as unknown in SQL: a row without a previous secret is matched by IS NULL, never by a null parameter.
        command.CommandText = row.SealedPrevious is null
            ? """
              UPDATE webhooks_endpoints SET sealed_secret = @secret
              WHERE endpoint_id = @id AND workspace_id = @workspace AND sealed_secret = @old AND sealed_previous IS NULL;
              """
            : """
              UPDATE webhooks_endpoints SET sealed_secret = @secret, sealed_previous = @previous
              WHERE endpoint_id = @id AND workspace_id = @workspace AND sealed_secret = @old AND sealed_previous = @oldPrevious;
              """;
        command.AddParameter("id", row.Id);
        command.AddParameter("workspace", row.WorkspaceId);
        command.AddParameter("secret", sealedSecret);
        command.AddParameter("old", row.SealedSecret);
        if (row.SealedPrevious is not null)
        {
            command.AddParameter("previous", sealedPrevious ?? row.SealedPrevious);
            command.AddParameter("oldPrevious", row.SealedPrevious);
        }
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Deletes the endpoint and the deliveries still waiting for it; false when there was none.</summary>
    public async Task<bool> DeleteAsync(string workspaceId, string endpointId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM webhooks_endpoints WHERE endpoint_id = @id AND workspace_id = @workspace;";
        command.AddParameter("id", endpointId);
        command.AddParameter("workspace", workspaceId);
        var deleted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        await using var deliveries = connection.CreateCommand();
        deliveries.Transaction = transaction;
        deliveries.CommandText = "DELETE FROM webhooks_deliveries WHERE endpoint_id = @id AND status = 'pending';";
        deliveries.AddParameter("id", endpointId);
        await deliveries.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return deleted;
    }

    /// <summary>How many endpoints hold a sealed secret (for the vault's fail-closed start).</summary>
    public async Task<long> CountAllAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM webhooks_endpoints;";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<IReadOnlyList<WebhookEndpointRow>> QueryAsync(string where, Action<DbCommand> bind, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM webhooks_endpoints {where} ORDER BY endpoint_id;";
        bind(command);
        var rows = new List<WebhookEndpointRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new WebhookEndpointRow(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3).Split(' ', StringSplitOptions.RemoveEmptyEntries), reader.IsDBNull(4) ? null : reader.GetString(4),
                Convert.ToInt64(reader.GetValue(5), System.Globalization.CultureInfo.InvariantCulture) == 1,
                (byte[])reader.GetValue(6), reader.IsDBNull(7) ? null : (byte[])reader.GetValue(7),
                reader.IsDBNull(8) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(8)),
                reader.GetString(9),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11))));
        }
        return rows;
    }

    private static void Bind(DbCommand command, WebhookEndpointRow row)
    {
        command.AddParameter("id", row.Id);
        command.AddParameter("workspace", row.WorkspaceId);
        command.AddParameter("url", row.Url);
        command.AddParameter("events", string.Join(' ', row.Events));
        command.AddParameter("description", row.Description);
        command.AddParameter("enabled", row.Enabled ? 1 : 0);
        command.AddParameter("secret", row.SealedSecret);
        command.AddParameter("previous", row.SealedPrevious);
        command.AddParameter("previousUntil", row.PreviousUntil?.ToUnixTimeMilliseconds());
        command.AddParameter("hint", row.SecretHint);
        command.AddParameter("created", row.CreatedAt.ToUnixTimeMilliseconds());
        command.AddParameter("updated", row.UpdatedAt.ToUnixTimeMilliseconds());
    }
}

using System.Data.Common;
using System.Text.Json;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Accounts.Orleans.Index.Bench;

/// <summary>
/// Writes index rows straight into the database, in one transaction, with exactly the columns and JSON that
/// <see cref="AccountIndex.UpsertAsync"/> writes: going through 100,000 grains would measure something else.
/// </summary>
public static class IndexSeeder
{
    /// <summary>The index's own serializer settings (web defaults: camelCase, enums by their JSON names).</summary>
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string IndexColumns = "account_id, workspace_id, app_slug, nickname_search, health, deleted, expires_at_ms, updated_at_ms, summary";

    public static async Task SeedAsync(AccountsDatabase database, IReadOnlyList<SeededAccount> accounts, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (connection is NpgsqlConnection postgres) await CopyAsync(postgres, accounts, cancellationToken);
        else await InsertAsync(connection, transaction, accounts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        // A server that just took 100,000 rows has its statistics refreshed by autovacuum within a minute; do it now.
        // SQLite is left as the Host leaves it: nothing there runs ANALYZE.
        if (connection is NpgsqlConnection)
        {
            await using var analyze = connection.CreateCommand();
            analyze.CommandText = "ANALYZE accounts_account_index; ANALYZE accounts_account_links;";
            await analyze.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private static async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<SeededAccount> accounts, CancellationToken cancellationToken)
    {
        await using (var rows = await connection.BeginBinaryImportAsync($"COPY accounts_account_index ({IndexColumns}) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (summary, deleted) in accounts)
            {
                await rows.StartRowAsync(cancellationToken);
                await rows.WriteAsync(summary.Id, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(summary.WorkspaceId, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(summary.AppSlug, NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(summary.Nickname.ToLowerInvariant(), NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(AccountIndex.HealthName(summary.Health), NpgsqlDbType.Varchar, cancellationToken);
                await rows.WriteAsync(deleted ? 1 : 0, NpgsqlDbType.Integer, cancellationToken);
                if (summary.AccessTokenExpiresAt is { } expires) await rows.WriteAsync(expires.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken);
                else await rows.WriteNullAsync(cancellationToken);
                await rows.WriteAsync(summary.UpdatedAt.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken);
                await rows.WriteAsync(JsonSerializer.Serialize(summary, Json), NpgsqlDbType.Text, cancellationToken);
            }
            await rows.CompleteAsync(cancellationToken);
        }
        await using (var links = await connection.BeginBinaryImportAsync("COPY accounts_account_links (account_id, workflow_id, step_id) FROM STDIN (FORMAT BINARY)", cancellationToken))
        {
            foreach (var (summary, _) in accounts)
            {
                foreach (var step in summary.LinkedSteps)
                {
                    await links.StartRowAsync(cancellationToken);
                    await links.WriteAsync(summary.Id, NpgsqlDbType.Varchar, cancellationToken);
                    await links.WriteAsync(step.WorkflowId, NpgsqlDbType.Varchar, cancellationToken);
                    await links.WriteAsync(step.StepId, NpgsqlDbType.Varchar, cancellationToken);
                }
            }
            await links.CompleteAsync(cancellationToken);
        }
    }

    /// <summary>SQLite: one prepared statement per table, rebound for each row.</summary>
    private static async Task InsertAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<SeededAccount> accounts, CancellationToken cancellationToken)
    {
        await using var row = connection.CreateCommand();
        row.Transaction = transaction;
        row.CommandText = $"INSERT INTO accounts_account_index ({IndexColumns}) VALUES (@id, @workspace, @app, @nickname, @health, @deleted, @expires, @updated, @summary);";
        foreach (var name in new[] { "id", "workspace", "app", "nickname", "health", "deleted", "expires", "updated", "summary" }) row.AddParameter(name, null);
        await using var link = connection.CreateCommand();
        link.Transaction = transaction;
        link.CommandText = "INSERT INTO accounts_account_links (account_id, workflow_id, step_id) VALUES (@id, @workflow, @step);";
        foreach (var name in new[] { "id", "workflow", "step" }) link.AddParameter(name, null);
        await row.PrepareAsync(cancellationToken);
        await link.PrepareAsync(cancellationToken);

        foreach (var (summary, deleted) in accounts)
        {
            row.Parameters["id"].Value = summary.Id;
            row.Parameters["workspace"].Value = summary.WorkspaceId;
            row.Parameters["app"].Value = summary.AppSlug;
            row.Parameters["nickname"].Value = summary.Nickname.ToLowerInvariant();
            row.Parameters["health"].Value = AccountIndex.HealthName(summary.Health);
            row.Parameters["deleted"].Value = deleted ? 1 : 0;
            row.Parameters["expires"].Value = summary.AccessTokenExpiresAt is { } expires ? expires.ToUnixTimeMilliseconds() : DBNull.Value;
            row.Parameters["updated"].Value = summary.UpdatedAt.ToUnixTimeMilliseconds();
            row.Parameters["summary"].Value = JsonSerializer.Serialize(summary, Json);
            await row.ExecuteNonQueryAsync(cancellationToken);
            foreach (var step in summary.LinkedSteps)
            {
                link.Parameters["id"].Value = summary.Id;
                link.Parameters["workflow"].Value = step.WorkflowId;
                link.Parameters["step"].Value = step.StepId;
                await link.ExecuteNonQueryAsync(cancellationToken);
            }
        }
    }
}

using System.Data.Common;
using System.Text.Json;
using Accounts.Orleans.Contracts.Paging;

namespace Accounts.Orleans.Connections.Index;

/// <summary>
/// The account index table: written by each account's grain after a change, read by every list and search.
/// A row carries the account's summary, so listing never activates a grain.
/// </summary>
public sealed class AccountIndex(AccountsDatabase database, [FromKeyedServices(ServiceClock.Key)] TimeProvider time)
{
    private const string CursorPrefix = "c1:";
    public const int MaxFilterLength = 200;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task UpsertAsync(AccountSummary summary, bool deleted, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = transaction;
            upsert.CommandText = """
                INSERT INTO accounts_account_index (account_id, workspace_id, app_slug, nickname_search, health, deleted, expires_at_ms, next_refresh_at_ms, next_check_at_ms, updated_at_ms, summary)
                VALUES (@id, @workspace, @app, @nickname, @health, @deleted, @expires, @nextRefresh, @nextCheck, @updated, @summary)
                ON CONFLICT (account_id) DO UPDATE SET
                    workspace_id = excluded.workspace_id, app_slug = excluded.app_slug, nickname_search = excluded.nickname_search,
                    health = excluded.health, deleted = excluded.deleted, expires_at_ms = excluded.expires_at_ms,
                    next_refresh_at_ms = excluded.next_refresh_at_ms, next_check_at_ms = excluded.next_check_at_ms, updated_at_ms = excluded.updated_at_ms, summary = excluded.summary;
                """;
            upsert.AddParameter("id", summary.Id);
            upsert.AddParameter("workspace", summary.WorkspaceId);
            upsert.AddParameter("app", summary.AppSlug);
            upsert.AddParameter("nickname", summary.Nickname.ToLowerInvariant());
            upsert.AddParameter("health", HealthName(summary.Health));
            upsert.AddParameter("deleted", deleted ? 1 : 0);
            upsert.AddParameter("expires", summary.AccessTokenExpiresAt?.ToUnixTimeMilliseconds());
            upsert.AddParameter("nextRefresh", summary.NextRefreshAt?.ToUnixTimeMilliseconds());
            upsert.AddParameter("nextCheck", summary.NextCheckAt?.ToUnixTimeMilliseconds());
            upsert.AddParameter("updated", summary.UpdatedAt.ToUnixTimeMilliseconds());
            upsert.AddParameter("summary", JsonSerializer.Serialize(summary, Json));
            await upsert.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var clear = connection.CreateCommand())
        {
            clear.Transaction = transaction;
            clear.CommandText = "DELETE FROM accounts_account_links WHERE account_id = @id;";
            clear.AddParameter("id", summary.Id);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        foreach (var step in summary.LinkedSteps)
        {
            await using var link = connection.CreateCommand();
            link.Transaction = transaction;
            link.CommandText = "INSERT INTO accounts_account_links (account_id, workflow_id, step_id) VALUES (@id, @workflow, @step);";
            link.AddParameter("id", summary.Id);
            link.AddParameter("workflow", step.WorkflowId);
            link.AddParameter("step", step.StepId);
            await link.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <exception cref="AccountValidationException">The query is out of range or the cursor is not one we issued.</exception>
    public async Task<AccountPage> ListAsync(AccountQuery query, CancellationToken cancellationToken)
    {
        var after = Check(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        void Filter(string clause, string name, object? value)
        {
            where.Add(clause);
            command.AddParameter(name, value);
        }
        // A literal, not a parameter: SQLite chooses its partial index of live accounts (migration 0002) only for this exact term.
        if (!query.IncludeDeleted) where.Add("deleted = 0");
        if (after is not null) Filter("account_id > @after", "after", after);
        if (query.WorkspaceId is { } workspace) Filter("workspace_id = @workspace", "workspace", workspace);
        if (query.AppSlug is { } app) Filter("app_slug = @app", "app", app);
        var now = time.GetUtcNow();
        if (query.Health is AccountHealth.Expiring) Filter("health = 'healthy' AND next_refresh_at_ms <= @due", "due", now.ToUnixTimeMilliseconds());
        else if (query.Health is { } health) Filter("health = @health", "health", HealthName(health));
        if (!string.IsNullOrWhiteSpace(query.Text)) Filter("nickname_search LIKE @text ESCAPE '\\'", "text", $"%{EscapeLike(query.Text.Trim().ToLowerInvariant())}%");
        if (query.WorkflowId is { } workflow)
            Filter("account_id IN (SELECT account_id FROM accounts_account_links WHERE workflow_id = @workflow)", "workflow", workflow);
        command.CommandText = $"""
            SELECT summary FROM accounts_account_index
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY account_id
            LIMIT {query.Limit + 1};
            """;

        var items = new List<AccountSummary>(query.Limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                items.Add(Accounts.AccountSummaries.AsOf(JsonSerializer.Deserialize<AccountSummary>(reader.GetString(0), Json)!, now));
        }
        var hasMore = items.Count > query.Limit;
        if (hasMore) items.RemoveAt(items.Count - 1);
        return new AccountPage(items, hasMore ? EncodeCursor(items[^1].Id) : null);
    }

    /// <summary>Accounts whose access token expires before <paramref name="before"/>, for the refresh sweeper.</summary>
    public async Task<IReadOnlyList<string>> ExpiringAsync(DateTimeOffset before, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT account_id FROM accounts_account_index
            WHERE deleted = 0 AND expires_at_ms IS NOT NULL AND expires_at_ms < @before AND health <> 'needs_reconnect'
              AND account_id > @after
            ORDER BY account_id
            LIMIT {limit};
            """;
        command.AddParameter("before", before.ToUnixTimeMilliseconds());
        command.AddParameter("after", after ?? "");
        var ids = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Live key-based accounts whose keys are due to be tried at the app by <paramref name="now"/>, a page in id order.</summary>
    public Task<IReadOnlyList<string>> DueForKeyCheckAsync(DateTimeOffset now, string? after, int limit, CancellationToken cancellationToken)
        => IdsAsync("next_check_at_ms IS NOT NULL AND next_check_at_ms <= @now AND health <> 'needs_reconnect'", now, after, limit, cancellationToken);

    /// <summary>Live degraded accounts, a page in id order.</summary>
    public Task<IReadOnlyList<string>> DegradedAsync(string? after, int limit, CancellationToken cancellationToken)
        => IdsAsync("health = 'degraded'", null, after, limit, cancellationToken);

    private async Task<IReadOnlyList<string>> IdsAsync(string condition, DateTimeOffset? now, string? after, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT account_id FROM accounts_account_index
            WHERE deleted = 0 AND {condition} AND account_id > @after
            ORDER BY account_id
            LIMIT {limit};
            """;
        if (now is { } at) command.AddParameter("now", at.ToUnixTimeMilliseconds());
        command.AddParameter("after", after ?? "");
        var ids = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetString(0));
        return ids;
    }

    /// <summary>Live (not deleted) accounts of one workspace.</summary>
    public async Task<long> CountLiveAsync(string workspaceId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM accounts_account_index WHERE workspace_id = @workspace AND deleted = 0;";
        command.AddParameter("workspace", workspaceId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The workspaces with at least one live (not deleted) account of an app: who hears about that app's OAuth client.
    /// Ordered, so a caller that announces to each does so in the same order every time.
    /// </summary>
    public async Task<IReadOnlyList<string>> WorkspacesWithAppAsync(string appSlug, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Reads the app's rows through its (app_slug, account_id) index; an app has few accounts next to the whole table.
        command.CommandText = "SELECT DISTINCT workspace_id FROM accounts_account_index WHERE deleted = 0 AND app_slug = @app ORDER BY workspace_id;";
        command.AddParameter("app", appSlug);
        var workspaces = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) workspaces.Add(reader.GetString(0));
        return workspaces;
    }

    /// <summary>Live (not deleted) accounts per health, for the accounts-by-health gauge.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByHealthAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT health, COUNT(*) FROM accounts_account_index WHERE deleted = 0 GROUP BY health;";
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            counts[reader.GetString(0)] = Convert.ToInt64(reader.GetValue(1), System.Globalization.CultureInfo.InvariantCulture);
        return counts;
    }

    public static string HealthName(AccountHealth health) => JsonSerializer.Serialize(health, Json).Trim('"');

    private static string EscapeLike(string text) => text.Replace("\\", "\\\\", StringComparison.Ordinal)
        .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static string? Check(AccountQuery query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > AccountQuery.MaxLimit) errors["limit"] = [$"must be between 1 and {AccountQuery.MaxLimit}"];
        if (query.Health is { } health && !Enum.IsDefined(health)) errors["health"] = [$"must be one of: {string.Join(", ", Enum.GetNames<AccountHealth>())}"];
        foreach (var (name, value) in new[] { ("workspaceId", query.WorkspaceId), ("appSlug", query.AppSlug), ("text", query.Text), ("workflowId", query.WorkflowId) })
        {
            if (value is { Length: > MaxFilterLength }) errors[name] = [$"must be at most {MaxFilterLength} characters"];
        }
        string? after = null;
        if (query.Cursor is { } cursor && !TryDecodeCursor(cursor, out after)) errors["cursor"] = ["is not a cursor this service issued"];
        if (errors.Count > 0) throw new AccountValidationException(errors);
        return after;
    }

    private static string EncodeCursor(string lastId) => KeysetCursor.Encode(CursorPrefix, lastId);

    private static bool TryDecodeCursor(string cursor, out string? lastId)
    {
        lastId = KeysetCursor.TryDecode(cursor, CursorPrefix, out var id) && AccountIds.IsValid(id) ? id : null;
        return lastId is not null;
    }
}

using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Contracts.Paging;

namespace Accounts.Orleans.Catalog.Requests;

/// <summary>
/// The app requests, a row each, and their votes, a row each. Only the catalog grain writes here, one call at a time, so
/// a read followed by a write within a call sees no other writer.
/// </summary>
public sealed class AppRequestTable(AccountsDatabase database)
{
    private const string CursorPrefix = "r1:";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private const string Columns = "request_id, name, url, status, votes, shipped_slug, reasons, history, created_at_ms, updated_at_ms";

    /// <summary>
    /// Who voted is kept only to count each person once, never shown: a hash of the normalized requester does that
    /// without keeping a list of e-mail addresses.
    /// </summary>
    public static string VoterKey(string normalizedRequester)
        => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalizedRequester)));

    /// <summary>The oldest request with this normalized name or this web domain.</summary>
    public async Task<AppRequest?> FindSameAppAsync(string nameKey, string? domain, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {Columns} FROM catalog_app_requests
            WHERE name_key = @key {(domain is null ? "" : "OR web_domain = @domain")}
            ORDER BY created_at_ms, request_id LIMIT 1;
            """;
        command.AddParameter("key", nameKey);
        if (domain is not null) command.AddParameter("domain", domain);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<AppRequest?> GetAsync(string requestId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM catalog_app_requests WHERE request_id = @id;";
        command.AddParameter("id", requestId);
        return await ReadOneAsync(command, cancellationToken);
    }

    public async Task<bool> HasVotedAsync(string requestId, string voter, CancellationToken cancellationToken)
        => await ScalarAsync("SELECT COUNT(*) FROM catalog_app_request_votes WHERE request_id = @id AND voter = @voter;",
            cancellationToken, ("id", requestId), ("voter", voter)) > 0;

    public Task<long> CountVotesByAsync(string voter, CancellationToken cancellationToken)
        => ScalarAsync("SELECT COUNT(*) FROM catalog_app_request_votes WHERE voter = @voter;", cancellationToken, ("voter", voter));

    public Task<long> CountAsync(CancellationToken cancellationToken)
        => ScalarAsync("SELECT COUNT(*) FROM catalog_app_requests;", cancellationToken);

    /// <summary>Stores a new request and its first vote together; false when a request with this id exists already.</summary>
    public async Task<bool> CreateAsync(AppRequest request, string nameKey, string? domain, IEnumerable<string> voters, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = $"""
                INSERT INTO catalog_app_requests ({Columns}, name_key, web_domain)
                VALUES (@id, @name, @url, @status, @votes, @shipped, @reasons, @history, @created, @updated, @key, @domain)
                ON CONFLICT (request_id) DO NOTHING;
                """;
            Bind(insert, request);
            insert.AddParameter("key", nameKey);
            insert.AddParameter("domain", domain);
            if (await insert.ExecuteNonQueryAsync(cancellationToken) == 0) return false;
        }
        foreach (var voter in voters)
        {
            await using var vote = connection.CreateCommand();
            vote.Transaction = transaction;
            vote.CommandText = "INSERT INTO catalog_app_request_votes (request_id, voter, voted_at_ms) VALUES (@id, @voter, @at) ON CONFLICT DO NOTHING;";
            vote.AddParameter("id", request.Id);
            vote.AddParameter("voter", voter);
            vote.AddParameter("at", request.CreatedAt.ToUnixTimeMilliseconds());
            await vote.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// Adds <paramref name="voter"/>'s vote and the request's new fields (<paramref name="updated"/>, whose vote count
    /// already includes it) together; false, with nothing written, when that person had voted already.
    /// </summary>
    public async Task<bool> VoteAsync(AppRequest updated, string? domain, string voter, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var vote = connection.CreateCommand())
        {
            vote.Transaction = transaction;
            vote.CommandText = "INSERT INTO catalog_app_request_votes (request_id, voter, voted_at_ms) VALUES (@id, @voter, @at) ON CONFLICT DO NOTHING;";
            vote.AddParameter("id", updated.Id);
            vote.AddParameter("voter", voter);
            vote.AddParameter("at", updated.UpdatedAt.ToUnixTimeMilliseconds());
            if (await vote.ExecuteNonQueryAsync(cancellationToken) == 0) return false;
        }
        await using (var update = connection.CreateCommand())
        {
            update.Transaction = transaction;
            update.CommandText = """
                UPDATE catalog_app_requests
                SET votes = votes + 1, url = @url, web_domain = COALESCE(web_domain, @domain), reasons = @reasons, updated_at_ms = @updated
                WHERE request_id = @id;
                """;
            update.AddParameter("id", updated.Id);
            update.AddParameter("url", updated.Url);
            update.AddParameter("domain", domain);
            update.AddParameter("reasons", JsonSerializer.Serialize(updated.Reasons, Json));
            update.AddParameter("updated", updated.UpdatedAt.ToUnixTimeMilliseconds());
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Stores an operator's decision: status, shipped app, history.</summary>
    public async Task TriageAsync(AppRequest request, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE catalog_app_requests SET status = @status, shipped_slug = @shipped, history = @history, updated_at_ms = @updated
            WHERE request_id = @id;
            """;
        command.AddParameter("id", request.Id);
        command.AddParameter("status", StatusName(request.Status));
        command.AddParameter("shipped", request.ShippedSlug);
        command.AddParameter("history", JsonSerializer.Serialize(request.History, Json));
        command.AddParameter("updated", request.UpdatedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <exception cref="CatalogValidationException">The query is out of range or the cursor is not one we issued.</exception>
    public async Task<AppRequestPage> ListAsync(AppRequestQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var after = Check(query);
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        if (query.Status is { } status)
        {
            where.Add("status = @status");
            command.AddParameter("status", StatusName(status));
        }
        if (query.Text is { } text && AppRequestRules.NormalizeName(text) is { Length: > 0 } key)
        {
            // A normalized name is letters and digits only: nothing in it means anything to LIKE.
            where.Add("name_key LIKE @text");
            command.AddParameter("text", $"%{key}%");
        }
        if (after is { } last)
        {
            where.Add("(votes < @votes OR (votes = @votes AND (created_at_ms > @created OR (created_at_ms = @created AND request_id > @after))))");
            command.AddParameter("votes", last.Votes);
            command.AddParameter("created", last.CreatedAtMs);
            command.AddParameter("after", last.Id);
        }
        command.CommandText = $"""
            SELECT {Columns} FROM catalog_app_requests
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY votes DESC, created_at_ms, request_id
            LIMIT {query.Limit + 1};
            """;
        var items = new List<AppRequest>(query.Limit + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) items.Add(Read(reader));
        }
        var hasMore = items.Count > query.Limit;
        if (hasMore) items.RemoveAt(items.Count - 1);
        return new AppRequestPage(items, hasMore ? EncodeCursor(items[^1]) : null);
    }

    private sealed record Position(int Votes, long CreatedAtMs, string Id);

    private static Position? Check(AppRequestQuery query)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (query.Limit is < 1 or > AppRequestQuery.MaxLimit) errors["limit"] = [$"must be between 1 and {AppRequestQuery.MaxLimit}"];
        if (query.Status is { } status && !Enum.IsDefined(status)) errors["status"] = [$"must be one of: {string.Join(", ", Enum.GetNames<AppRequestStatus>())}"];
        if (query.Text is { Length: > AppRequestRules.MaxNameLength }) errors["text"] = [$"must be at most {AppRequestRules.MaxNameLength} characters"];
        Position? after = null;
        if (query.Cursor is { } cursor && !TryDecodeCursor(cursor, out after)) errors["cursor"] = ["is not a cursor this service issued"];
        if (errors.Count > 0) throw new CatalogValidationException(errors);
        return after;
    }

    private static string EncodeCursor(AppRequest last)
        => KeysetCursor.Encode(CursorPrefix, string.Create(CultureInfo.InvariantCulture, $"{last.Votes}:{last.CreatedAt.ToUnixTimeMilliseconds()}:{last.Id}"));

    private static bool TryDecodeCursor(string cursor, out Position? position)
    {
        position = null;
        if (!KeysetCursor.TryDecode(cursor, CursorPrefix, out var key)) return false;
        var parts = key.Split(':', 3);
        if (parts.Length != 3 || parts[2].Length is 0 or > 64
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var votes)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var created))
            return false;
        position = new Position(votes, created, parts[2]);
        return true;
    }

    private static string StatusName(AppRequestStatus status) => JsonSerializer.Serialize(status).Trim('"');

    private static AppRequestStatus ParseStatus(string name) => JsonSerializer.Deserialize<AppRequestStatus>($"\"{name}\"");

    private static void Bind(DbCommand command, AppRequest request)
    {
        command.AddParameter("id", request.Id);
        command.AddParameter("name", request.Name);
        command.AddParameter("url", request.Url);
        command.AddParameter("status", StatusName(request.Status));
        command.AddParameter("votes", request.Votes);
        command.AddParameter("shipped", request.ShippedSlug);
        command.AddParameter("reasons", JsonSerializer.Serialize(request.Reasons, Json));
        command.AddParameter("history", JsonSerializer.Serialize(request.History, Json));
        command.AddParameter("created", request.CreatedAt.ToUnixTimeMilliseconds());
        command.AddParameter("updated", request.UpdatedAt.ToUnixTimeMilliseconds());
    }

    private static async Task<AppRequest?> ReadOneAsync(DbCommand command, CancellationToken cancellationToken)
    {
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static AppRequest Read(DbDataReader reader) => new()
    {
        Id = reader.GetString(0),
        Name = reader.GetString(1),
        Url = reader.IsDBNull(2) ? null : reader.GetString(2),
        Status = ParseStatus(reader.GetString(3)),
        Votes = Convert.ToInt32(reader.GetValue(4), CultureInfo.InvariantCulture),
        ShippedSlug = reader.IsDBNull(5) ? null : reader.GetString(5),
        Reasons = JsonSerializer.Deserialize<string[]>(reader.GetString(6), Json) ?? [],
        History = JsonSerializer.Deserialize<AppRequestTriage[]>(reader.GetString(7), Json) ?? [],
        CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(8), CultureInfo.InvariantCulture)),
        UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(9), CultureInfo.InvariantCulture)),
    };

    private async Task<long> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters) command.AddParameter(name, value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}

using System.Data.Common;
using System.Globalization;
using Accounts.Orleans.Contracts.Ids;
using Accounts.Orleans.Contracts.Paging;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>A delivery a silo claimed, with what it needs to send it.</summary>
public sealed record ClaimedDelivery(string Id, string EventId, string EndpointId, int Attempts, string Payload);

/// <summary>How one attempt went: delivered; or failed, to be tried at <see cref="NextAttemptAt"/>, or dead when that is null.</summary>
public sealed record DeliveryOutcome(string DeliveryId, bool Delivered, int Attempts, int? Status, string? Error, DateTimeOffset? NextAttemptAt, DateTimeOffset At);

/// <summary>
/// The outbox's second half: events fanned out to one delivery row per endpoint, claimed by a silo with a lease, and
/// marked delivered, retried later or dead. Every statement here is safe when two silos run it at once.
/// </summary>
public sealed class WebhookDeliveryTable(AccountsDatabase database)
{
    public const string IdPrefix = "whdl_";
    private const string CursorPrefix = "d1:";
    private const string Columns = "d.delivery_id, d.event_id, e.type, d.endpoint_id, d.workspace_id, d.status, d.attempts, d.next_attempt_at_ms, d.last_status, d.last_error, d.created_at_ms, d.delivered_at_ms";

    /// <summary>
    /// Gives events not yet fanned out one delivery per endpoint of their workspace that takes them (as the endpoints
    /// are now); how many events. Two silos fanning out the same event add each delivery once.
    /// </summary>
    public async Task<int> FanOutAsync(int batch, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var events = new List<(string Id, string Workspace, string Type, string? Endpoint)>();
        await using (var select = Command(connection, transaction, $"SELECT event_id, workspace_id, type, endpoint_id FROM webhooks_events WHERE fanned_out = 0 ORDER BY occurred_at_ms LIMIT {batch};"))
        await using (var reader = await select.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) events.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
        }
        var endpointsOf = new Dictionary<string, List<(string Id, string[] Events)>>(StringComparer.Ordinal);
        foreach (var e in events)
        {
            if (!endpointsOf.TryGetValue(e.Workspace, out var endpoints))
            {
                endpoints = [];
                await using var select = Command(connection, transaction, "SELECT endpoint_id, events FROM webhooks_endpoints WHERE workspace_id = @workspace AND enabled = 1;");
                select.AddParameter("workspace", e.Workspace);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) endpoints.Add((reader.GetString(0), reader.GetString(1).Split(' ', StringSplitOptions.RemoveEmptyEntries)));
                endpointsOf[e.Workspace] = endpoints;
            }
            var now = time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var endpoint in endpoints.Where(p => e.Endpoint is null || p.Id == e.Endpoint).Where(p => WebhookEndpointRules.Takes(p.Events, e.Type, e.Endpoint is not null)))
            {
                await using var insert = Command(connection, transaction, """
                    INSERT INTO webhooks_deliveries (delivery_id, event_id, endpoint_id, workspace_id, status, attempts, next_attempt_at_ms, created_at_ms)
                    VALUES (@id, @event, @endpoint, @workspace, 'pending', 0, @now, @now)
                    ON CONFLICT (event_id, endpoint_id) DO NOTHING;
                    """);
                insert.AddParameter("id", TimeOrderedId.New(IdPrefix, time));
                insert.AddParameter("event", e.Id);
                insert.AddParameter("endpoint", endpoint.Id);
                insert.AddParameter("workspace", e.Workspace);
                insert.AddParameter("now", now);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            await using var done = Command(connection, transaction, "UPDATE webhooks_events SET fanned_out = 1 WHERE event_id = @id;");
            done.AddParameter("id", e.Id);
            await done.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return events.Count;
    }

    /// <summary>
    /// Leases due deliveries to this silo until <paramref name="leaseUntil"/>: at most <paramref name="perEndpoint"/> of
    /// each enabled endpoint, none of those in <paramref name="busy"/>, at most <paramref name="batch"/> in all. A
    /// delivery whose lease ran out (its silo died mid-send) is due again; the lease check in the update keeps two
    /// silos from claiming the same one.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int perEndpoint, int batch, IReadOnlyCollection<string> busy, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var busyNames = busy.Select((_, i) => $"@b{i}").ToArray();
        command.CommandText = $"""
            UPDATE webhooks_deliveries SET lease_until_ms = @lease
            WHERE delivery_id IN (
                SELECT delivery_id FROM (
                    SELECT d.delivery_id, d.next_attempt_at_ms,
                           ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.next_attempt_at_ms, d.delivery_id) AS place
                    FROM webhooks_deliveries d JOIN webhooks_endpoints p ON p.endpoint_id = d.endpoint_id
                    WHERE d.status = 'pending' AND d.next_attempt_at_ms <= @now AND (d.lease_until_ms IS NULL OR d.lease_until_ms < @now)
                      AND p.enabled = 1 {(busy.Count == 0 ? "" : $"AND d.endpoint_id NOT IN ({string.Join(", ", busyNames)})")}
                ) due
                WHERE place <= {perEndpoint}
                ORDER BY next_attempt_at_ms
                LIMIT {batch})
            AND status = 'pending' AND (lease_until_ms IS NULL OR lease_until_ms < @now)
            RETURNING delivery_id, event_id, endpoint_id, attempts;
            """;
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        command.AddParameter("lease", leaseUntil.ToUnixTimeMilliseconds());
        var b = 0;
        foreach (var endpoint in busy) command.AddParameter($"b{b++}", endpoint);
        var claimed = new List<(string Id, string Event, string Endpoint, int Attempts)>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                claimed.Add((reader.GetString(0), reader.GetString(1), reader.GetString(2), Convert.ToInt32(reader.GetValue(3), CultureInfo.InvariantCulture)));
        }
        if (claimed.Count == 0) return [];
        var payloads = await PayloadsAsync(connection, claimed.Select(c => c.Event).Distinct().ToArray(), cancellationToken);
        return claimed.Where(c => payloads.ContainsKey(c.Event)).Select(c => new ClaimedDelivery(c.Id, c.Event, c.Endpoint, c.Attempts, payloads[c.Event])).ToArray();
    }

    /// <summary>
    /// Stores how a batch of attempts went, in one transaction: one write per batch rather than per delivery, which on
    /// SQLite (one writer at a time) is what keeps a busy endpoint's deliveries from queueing on the write lock.
    /// </summary>
    public async Task RecordAsync(IReadOnlyCollection<DeliveryOutcome> outcomes, CancellationToken cancellationToken)
    {
        if (outcomes.Count == 0) return;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var outcome in outcomes)
        {
            await using var command = Command(connection, transaction, """
                UPDATE webhooks_deliveries SET status = @status, attempts = @attempts, next_attempt_at_ms = @next, lease_until_ms = NULL,
                    last_status = @httpStatus, last_error = @error, delivered_at_ms = COALESCE(@delivered, delivered_at_ms)
                WHERE delivery_id = @id;
                """);
            command.AddParameter("id", outcome.DeliveryId);
            command.AddParameter("status", outcome.Delivered ? "delivered" : outcome.NextAttemptAt is null ? "dead" : "pending");
            command.AddParameter("attempts", outcome.Attempts);
            command.AddParameter("next", outcome.Delivered ? null : outcome.NextAttemptAt?.ToUnixTimeMilliseconds());
            command.AddParameter("httpStatus", outcome.Status);
            command.AddParameter("error", outcome.Error);
            command.AddParameter("delivered", outcome.Delivered ? outcome.At.ToUnixTimeMilliseconds() : null);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Deliveries newest first, confined to <paramref name="workspaceId"/> when it is set.</summary>
    /// <exception cref="WebhookValidationException">The limit is out of range or the cursor is not one this list issued.</exception>
    public async Task<WebhookDeliveryPage> ListAsync(WebhookDeliveryQuery query, string? workspaceId, CancellationToken cancellationToken)
    {
        if (query.Limit is < 1 or > 200) throw new WebhookValidationException("limit", "must be between 1 and 200");
        string? before = null;
        if (query.Cursor is not null)
        {
            if (!KeysetCursor.TryDecode(query.Cursor, CursorPrefix, out var last)) throw new WebhookValidationException("cursor", "is not a cursor this list issued");
            before = last;
        }
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = new List<string>();
        void Filter(string clause, string name, object value)
        {
            where.Add(clause);
            command.AddParameter(name, value);
        }
        if (workspaceId is not null) Filter("d.workspace_id = @workspace", "workspace", workspaceId);
        if (query.EndpointId is { } endpoint) Filter("d.endpoint_id = @endpoint", "endpoint", endpoint);
        if (query.Status is { } status) Filter("d.status = @status", "status", StatusName(status));
        if (before is not null) Filter("d.delivery_id < @before", "before", before);
        command.CommandText = $"""
            SELECT {Columns} FROM webhooks_deliveries d JOIN webhooks_events e ON e.event_id = d.event_id
            {(where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "")}
            ORDER BY d.delivery_id DESC
            LIMIT {query.Limit + 1};
            """;
        var items = await ReadAsync(command, cancellationToken);
        var more = items.Count > query.Limit;
        if (more) items.RemoveAt(items.Count - 1);
        return new WebhookDeliveryPage(items, more ? KeysetCursor.Encode(CursorPrefix, items[^1].Id) : null);
    }

    public async Task<WebhookDelivery?> FindAsync(string workspaceId, string deliveryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM webhooks_deliveries d JOIN webhooks_events e ON e.event_id = d.event_id WHERE d.delivery_id = @id AND d.workspace_id = @workspace;";
        command.AddParameter("id", deliveryId);
        command.AddParameter("workspace", workspaceId);
        return (await ReadAsync(command, cancellationToken)).SingleOrDefault();
    }

    /// <summary>A finished delivery starts a new series of attempts, due now, with the same event id.</summary>
    public async Task<bool> RequeueAsync(string workspaceId, string deliveryId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE webhooks_deliveries SET status = 'pending', attempts = 0, next_attempt_at_ms = @now, lease_until_ms = NULL
            WHERE delivery_id = @id AND workspace_id = @workspace AND status <> 'pending';
            """;
        command.AddParameter("id", deliveryId);
        command.AddParameter("workspace", workspaceId);
        command.AddParameter("now", now.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Deletes finished deliveries, and events with none left waiting, older than <paramref name="before"/>.</summary>
    public async Task<int> PurgeAsync(DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var deliveries = Command(connection, null, "DELETE FROM webhooks_deliveries WHERE status <> 'pending' AND created_at_ms < @before;");
        deliveries.AddParameter("before", before.ToUnixTimeMilliseconds());
        var count = await deliveries.ExecuteNonQueryAsync(cancellationToken);
        await using var events = Command(connection, null, """
            DELETE FROM webhooks_events WHERE fanned_out = 1 AND occurred_at_ms < @before
              AND NOT EXISTS (SELECT 1 FROM webhooks_deliveries d WHERE d.event_id = webhooks_events.event_id);
            """);
        events.AddParameter("before", before.ToUnixTimeMilliseconds());
        return count + await events.ExecuteNonQueryAsync(cancellationToken);
    }

    public static string StatusName(WebhookDeliveryStatus status) => status switch
    {
        WebhookDeliveryStatus.Delivered => "delivered",
        WebhookDeliveryStatus.Dead => "dead",
        _ => "pending",
    };

    private static async Task<Dictionary<string, string>> PayloadsAsync(DbConnection connection, string[] eventIds, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT event_id, payload FROM webhooks_events WHERE event_id IN ({string.Join(", ", eventIds.Select((_, i) => $"@e{i}"))});";
        for (var i = 0; i < eventIds.Length; i++) command.AddParameter($"e{i}", eventIds[i]);
        var payloads = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) payloads[reader.GetString(0)] = reader.GetString(1);
        return payloads;
    }

    private static async Task<List<WebhookDelivery>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var items = new List<WebhookDelivery>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new WebhookDelivery
            {
                Id = reader.GetString(0),
                EventId = reader.GetString(1),
                EventType = reader.GetString(2),
                EndpointId = reader.GetString(3),
                WorkspaceId = reader.GetString(4),
                Status = reader.GetString(5) switch { "delivered" => WebhookDeliveryStatus.Delivered, "dead" => WebhookDeliveryStatus.Dead, _ => WebhookDeliveryStatus.Pending },
                Attempts = Convert.ToInt32(reader.GetValue(6), CultureInfo.InvariantCulture),
                NextAttemptAt = reader.IsDBNull(7) || reader.GetString(5) != "pending" ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
                LastStatus = reader.IsDBNull(8) ? null : Convert.ToInt32(reader.GetValue(8), CultureInfo.InvariantCulture),
                LastError = reader.IsDBNull(9) ? null : reader.GetString(9),
                CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
                DeliveredAt = reader.IsDBNull(11) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(11)),
            });
        }
        return items;
    }

    private static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }
}

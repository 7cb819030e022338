using System.Data.Common;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// The durable outbox: producers append events here after the change they describe is stored; each silo's
/// <see cref="WebhookDispatcher"/> fans them out to endpoints and delivers them. Appending an event id twice adds one row.
/// </summary>
public sealed class EventOutbox(AccountsDatabase database)
{
    /// <summary>Raised after an append, so this silo's dispatcher looks at once rather than at its next tick.</summary>
    public event Action? Appended;

    /// <summary>
    /// Appends the events a producer stored with its state and removes them from <paramref name="pending"/>; false
    /// (and nothing removed) when storage refused, so the producer hands them over again later.
    /// </summary>
    public async Task<bool> TryPublishAsync(List<OutboxEvent> pending)
    {
        if (pending.Count == 0) return true;
        var batch = pending.ToArray();
        try
        {
            await AppendAsync(batch, CancellationToken.None);
        }
        catch (Exception e) when (e is DbException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
        // The stored copy goes with the producer's next write; appending it again meanwhile adds nothing.
        pending.RemoveAll(batch.Contains);
        return true;
    }

    /// <exception cref="DbException">Storage refused; the producer keeps the events and appends them again later.</exception>
    public async Task AppendAsync(IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return;
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var e in events)
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO webhooks_events (event_id, workspace_id, type, occurred_at_ms, payload, endpoint_id, fanned_out)
                VALUES (@id, @workspace, @type, @at, @payload, @endpoint, 0)
                ON CONFLICT (event_id) DO NOTHING;
                """;
            insert.AddParameter("id", e.Id);
            insert.AddParameter("workspace", e.WorkspaceId);
            insert.AddParameter("type", e.Type);
            insert.AddParameter("at", e.OccurredAt.ToUnixTimeMilliseconds());
            insert.AddParameter("payload", e.Payload());
            insert.AddParameter("endpoint", e.EndpointId);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        Appended?.Invoke();
    }
}

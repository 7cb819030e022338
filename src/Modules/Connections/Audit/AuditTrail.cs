using System.Threading.Channels;

namespace Accounts.Orleans.Connections.Audit;

/// <summary>
/// The audit trail. Recording never waits on the database (a credential read stays I/O-free): events queue in memory
/// and a background writer stores them in batches, at least once a second and on shutdown.
/// </summary>
public sealed partial class AuditTrail(AccountsDatabase database, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<AuditTrail> logger)
    : PeriodicWork(TimeSpan.FromSeconds(1), time, logger)
{
    public const int MaxBatch = 500;
    public const string CredentialsRead = "credentials_read";
    private const int MaxDetailLength = 1000;

    private readonly Channel<AuditEvent> _pending = Channel.CreateUnbounded<AuditEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Pending> _unwritten = new(MaxBatch);
    private readonly Dictionary<(string, string, string?, string?), int> _readsByStep = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);

    public void Record(AuditEvent auditEvent) => _pending.Writer.TryWrite(auditEvent);

    /// <summary>Stores everything recorded so far. A batch that fails to store is kept and tried again first next time.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                while (_unwritten.Count < MaxBatch && _pending.Reader.TryRead(out var next)) Add(next);
                if (_unwritten.Count == 0) return;
                await WriteAsync(_unwritten.Select(e => e.Count == 1 ? e.Event : e.Event with { Detail = $"{e.Count} reads since {e.Event.At:O}" }).ToList(), cancellationToken);
                _unwritten.Clear();
                _readsByStep.Clear();
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>
    /// Repeated credential reads by the same step within one flush fold into one row with a count: a workflow that
    /// reads 10,000 times a second is audited without 10,000 rows a second, and no read goes unrecorded.
    /// </summary>
    private void Add(AuditEvent e)
    {
        if (e.Action == CredentialsRead && _readsByStep.TryGetValue((e.AccountId, e.Actor, e.WorkflowId, e.StepId), out var at))
        {
            _unwritten[at] = _unwritten[at] with { Count = _unwritten[at].Count + 1 };
            return;
        }
        if (e.Action == CredentialsRead) _readsByStep[(e.AccountId, e.Actor, e.WorkflowId, e.StepId)] = _unwritten.Count;
        _unwritten.Add(new Pending(e, 1));
    }

    private readonly record struct Pending(AuditEvent Event, int Count);

    public const int MaxReadLimit = 1000;

    public async Task<IReadOnlyList<AuditEvent>> ReadAsync(string accountId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT at_ms, account_id, workspace_id, action, actor, workflow_id, step_id, detail FROM accounts_audit
            WHERE account_id = @account ORDER BY id DESC LIMIT {Math.Clamp(limit, 1, MaxReadLimit)};
            """;
        command.AddParameter("account", accountId);
        var events = new List<AuditEvent>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            events.Add(new AuditEvent(
                DateTimeOffset.FromUnixTimeMilliseconds(Convert.ToInt64(reader.GetValue(0), System.Globalization.CultureInfo.InvariantCulture)),
                reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7)));
        }
        return events;
    }

    protected override string Name => "Storing audit events (they stay queued)";

    protected override Task RunAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken);

    /// <summary>Stops the timer, then stores what is left.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        try
        {
            await FlushAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            LogFlushFailed(Logger, e.GetType().Name);
        }
    }

    private async Task WriteAsync(List<AuditEvent> batch, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var e in batch)
        {
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO accounts_audit (account_id, workspace_id, at_ms, action, actor, workflow_id, step_id, detail)
                VALUES (@account, @workspace, @at, @action, @actor, @workflow, @step, @detail);
                """;
            command.AddParameter("account", e.AccountId);
            command.AddParameter("workspace", e.WorkspaceId);
            command.AddParameter("at", e.At.ToUnixTimeMilliseconds());
            command.AddParameter("action", e.Action);
            command.AddParameter("actor", e.Actor);
            command.AddParameter("workflow", e.WorkflowId);
            command.AddParameter("step", e.StepId);
            command.AddParameter("detail", e.Detail is { Length: > MaxDetailLength } d ? d[..MaxDetailLength] : e.Detail);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public override void Dispose()
    {
        _flushing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store audit events ({Error}); they stay queued and are retried")]
    private static partial void LogFlushFailed(ILogger logger, string error);
}

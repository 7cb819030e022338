using System.Threading.Channels;

namespace Accounts.Orleans.Connections.Audit;

/// <summary>
/// The audit trail. Recording never waits on the database (a credential read stays I/O-free): events queue in memory
/// and a background writer stores them in batches, at least once a second and on shutdown.
/// </summary>
/// <remarks>
/// The queue is what makes a read cheap, and what could lose it: so a credential read is let through only while the
/// queue is bounded, in size (<see cref="ConnectionsOptions.AuditBacklogLimit"/>) and in how long its writes have been
/// failing (<see cref="ConnectionsOptions.AuditOutageLimit"/>). Past either, reads fail closed until a write succeeds
/// again; every other event is still queued, since the change it records has already happened.
/// </remarks>
public sealed partial class AuditTrail(
    AccountsDatabase database,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AuditTrail> logger)
    : PeriodicWork(TimeSpan.FromSeconds(1), time, logger), IAuditLog
{
    public const int MaxBatch = 500;
    public const string CredentialsRead = AuditActions.CredentialsRead;
    public const string ApiCall = AuditActions.ApiCall;
    public const string Proxied = AuditActions.Proxied;
    private const int MaxDetailLength = 1000;

    private readonly Channel<AuditEvent> _pending = Channel.CreateUnbounded<AuditEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<Pending> _unwritten = new(MaxBatch);
    private readonly Dictionary<(string, string, string, string?, string?, string?), int> _folded = [];
    private readonly SemaphoreSlim _flushing = new(1, 1);
    private readonly ConnectionsOptions _options = options.Value;

    // Service-clock ticks when the first write that has not succeeded began (it failed, or still runs); 0 after a success.
    private long _failingSince;
    private int _refusing;
    private int _queued;

    public void Record(AuditEvent auditEvent)
    {
        Interlocked.Increment(ref _queued);
        _pending.Writer.TryWrite(auditEvent);
    }

    /// <summary>Records a credential read, or refuses it while the trail could not keep it.</summary>
    /// <exception cref="AuditUnavailableException">
    /// Writes of the audit trail have failed for longer than the outage limit, or the queue is full.
    /// </exception>
    public void RecordRead(AuditEvent read)
    {
        RequireAvailable();
        Record(read);
    }

    /// <summary>Refuses, as <see cref="RecordRead"/> does, work whose event the trail could not keep now.</summary>
    /// <exception cref="AuditUnavailableException">The trail has been failing past its limits.</exception>
    public void RequireAvailable()
    {
        var since = Interlocked.Read(ref _failingSince);
        var failing = since == 0 ? TimeSpan.Zero : Time.GetUtcNow() - new DateTimeOffset(since, TimeSpan.Zero);
        if (failing > _options.AuditOutageLimit || Backlog >= _options.AuditBacklogLimit)
        {
            if (Interlocked.Exchange(ref _refusing, 1) == 0) LogReadsRefused(Logger, (int)failing.TotalSeconds, Backlog);
            throw new AuditUnavailableException();
        }
        if (Interlocked.Exchange(ref _refusing, 0) == 1) LogReadsResumed(Logger);
    }

    /// <summary>Events recorded and not yet stored (repeated reads by one step count once after they are folded).</summary>
    public int Backlog => Volatile.Read(ref _queued) + _unwritten.Count;

    /// <summary>Stores everything recorded so far. A batch that fails to store is kept and tried again first next time.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        await _flushing.WaitAsync(cancellationToken);
        try
        {
            while (true)
            {
                while (_unwritten.Count < MaxBatch && _pending.Reader.TryRead(out var next))
                {
                    Interlocked.Decrement(ref _queued);
                    Add(next);
                }
                if (_unwritten.Count == 0) return;
                // Judged by failed (or hanging) writes, not by how long events have waited: a writer that has not had
                // its turn yet, or a clock that jumped, is no outage.
                Interlocked.CompareExchange(ref _failingSince, Time.GetUtcNow().UtcTicks, 0);
                await WriteAsync(_unwritten.Select(Folded).ToList(), cancellationToken);
                Interlocked.Exchange(ref _failingSince, 0);
                _unwritten.Clear();
                _folded.Clear();
            }
        }
        finally
        {
            _flushing.Release();
        }
    }

    /// <summary>
    /// Repeated credential reads by the same step, and repeated API calls by the same key to the same route with the
    /// same answer, fold within one flush into one row with a count: a workflow that reads 10,000 times a second is
    /// audited without 10,000 rows a second, and no read goes unrecorded.
    /// </summary>
    private void Add(AuditEvent e)
    {
        if (e.Action is not (CredentialsRead or ApiCall or Proxied))
        {
            _unwritten.Add(new Pending(e, 1));
            return;
        }
        var key = (e.AccountId, e.Action, e.Actor, e.WorkflowId, e.StepId, e.Detail);
        if (_folded.TryGetValue(key, out var at))
        {
            _unwritten[at] = _unwritten[at] with { Count = _unwritten[at].Count + 1 };
            return;
        }
        _folded[key] = _unwritten.Count;
        _unwritten.Add(new Pending(e, 1));
    }

    private static AuditEvent Folded(Pending p) => p.Count == 1 ? p.Event : p.Event with
    {
        Detail = p.Event.Action == CredentialsRead
            ? $"{p.Count} reads since {p.Event.At:O}"
            : $"{p.Event.Detail}; {p.Count} calls since {p.Event.At:O}",
    };

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

    [LoggerMessage(Level = LogLevel.Error, Message = "Credential reads are refused: audit events have failed to store for {Seconds} s ({Backlog} queued)")]
    private static partial void LogReadsRefused(ILogger logger, int seconds, int backlog);

    [LoggerMessage(Level = LogLevel.Information, Message = "Credential reads are served again: the audit trail is being stored")]
    private static partial void LogReadsResumed(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store audit events ({Error}); they stay queued and are retried")]
    private static partial void LogFlushFailed(ILogger logger, string error);
}

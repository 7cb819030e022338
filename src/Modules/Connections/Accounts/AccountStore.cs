using System.Security.Cryptography;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.Refresh;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Storage;
using Orleans.Storage;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// What one account keeps, for its grain: the stored state and the secrets opened from it, and beside them the audit
/// events and the index row that mirror each change. It holds rotated tokens while storage refuses them
/// (<see cref="UnsavedRotation"/>) and the last-used time that a warm read only buffers. The grain decides; this stores.
/// </summary>
public sealed partial class AccountStore(
    string id,
    IPersistentState<ConnectedAccountState> state,
    CredentialSeal seal,
    AccountIndex index,
    AuditTrail audit,
    Webhooks.EventOutbox outbox,
    TimeProvider time,
    ILogger logger,
    AccountStore.IActivation activation)
{
    /// <summary>What the store needs of the grain that owns it.</summary>
    public interface IActivation
    {
        /// <summary>The account as the index row shows it.</summary>
        AccountSummary Summary();

        /// <summary>Runs <paramref name="callback"/> once, as a turn of the grain, after <paramref name="dueTime"/>.</summary>
        IGrainTimer Schedule(Func<CancellationToken, Task> callback, TimeSpan dueTime);

        /// <summary>Keeps the activation from being collected while it holds what exists nowhere else, or lets it go.</summary>
        void KeepAlive(bool keep);

        /// <summary>Deactivates when idle, so the next call starts from what storage holds.</summary>
        void StartOver();
    }

    public enum StartMark { Stored, Conflict, StorageUnavailable }

    private AccountSecrets? _secrets;
    private bool _secretsUsed;
    private UnsavedRotation? _unsaved;
    private bool _lastUsedUnsaved;
    private bool _indexStale;
    private IGrainTimer? _publishRetry;

    public ConnectedAccountState Account => state.State;

    public bool Exists => state.RecordExists;

    /// <summary>Rotated tokens are waiting for storage: no other change may be stored before them.</summary>
    public bool RotationUnsaved => _unsaved is not null;

    /// <summary>The account's secrets, opened when first needed and kept while they are in use (<see cref="DropIdleSecrets"/>).</summary>
    /// <exception cref="CredentialsUnavailableException">There are none, or this service cannot open them.</exception>
    public AccountSecrets Secrets
    {
        get
        {
            _secretsUsed = true;
            return _secrets ??= seal.Open(id, Account);
        }
    }

    /// <summary>
    /// Called once per idle period: drops the opened secrets if nothing used them since the last call. A warm account
    /// keeps them; one nobody reads stops holding plaintext a memory dump could show. The sealed state (which a held
    /// rotation has already updated) is where they are opened from again.
    /// </summary>
    public void DropIdleSecrets()
    {
        if (!_secretsUsed) _secrets = null;
        _secretsUsed = false;
    }

    /// <summary>Seals <paramref name="secrets"/> into the state (stored with the next write).</summary>
    public void Seal(AccountSecrets secrets)
    {
        Account.SealedSecrets = seal.Seal(id, Account.WorkspaceId!, secrets);
        _secrets = secrets;
        _secretsUsed = true;
    }

    /// <summary>Drops the secrets from state and memory (a deleted account).</summary>
    public void EraseSecrets()
    {
        Account.SealedSecrets = null;
        _secrets = null;
    }

    /// <summary>Re-wraps the envelope under the active master key; false when it already was.</summary>
    public bool Rewrap()
    {
        if (seal.Rewrap(id, Account) is not { } rewrapped) return false;
        Account.SealedSecrets = rewrapped;
        return true;
    }

    /// <summary>
    /// Stores the change made to <see cref="Account"/>, then records it in the audit trail and the index (which is
    /// rebuildable, so its failure is logged, not thrown). If storage refuses, the activation starts over from what
    /// storage holds, and the caller gets <see cref="StorageUnavailableException"/>.
    /// </summary>
    public async Task SaveAsync(string action, string actor, WorkflowStep? step = null, string? detail = null)
    {
        Account.UpdatedAt = time.GetUtcNow();
        // Every change settles a held rotation first, so nothing but this change is lost by starting over.
        await state.WriteOrStartOverAsync(() =>
        {
            _secrets = null;
            activation.StartOver();
        });
        _lastUsedUnsaved = false;
        Audit(action, actor, step, detail);
        await MirrorAsync();
        await PublishAsync();
    }

    /// <summary>
    /// The account's health after <paramref name="signal"/>, by the hysteresis rule; an event when it changed state. The
    /// caller stores it with its next write.
    /// </summary>
    public void Observe(Health.HealthSignal signal, string? reason, TimeSpan quietPeriod)
        => Apply(Health.HealthTransitions.Observe(HealthNow, signal, reason, time.GetUtcNow(), quietPeriod));

    /// <summary>Whether a degraded account has been quiet long enough to recover (then stored with the next write).</summary>
    public bool Settle(TimeSpan quietPeriod) => Apply(Health.HealthTransitions.Settle(HealthNow, time.GetUtcNow(), quietPeriod));

    /// <summary>A connect or reconnect: healthy, with the event that says which.</summary>
    public void Connected(string eventType)
    {
        SetHealth(Health.HealthTransitions.Connected(time.GetUtcNow()));
        Raise(eventType);
    }

    /// <summary>Records an event to go out with the next write (see <see cref="ConnectedAccountState.PendingEvents"/>).</summary>
    public void Raise(string type)
        => Account.PendingEvents.Add(Webhooks.OutboxEvent.New(type, Account.WorkspaceId!, time, new()
        {
            ["account_id"] = id,
            ["app"] = Account.AppSlug,
            ["health"] = Index.AccountIndex.HealthName(Account.Health),
            ["reason"] = Account.HealthReason,
        }));

    /// <summary>Hands stored events to the outbox; if it refuses, tries again later from this activation (or the next one).</summary>
    public async Task PublishAsync()
    {
        if (await outbox.TryPublishAsync(Account.PendingEvents))
        {
            _publishRetry?.Dispose();
            _publishRetry = null;
            return;
        }
        LogPublishFailed(logger, id, Account.PendingEvents.Count);
        _publishRetry ??= activation.Schedule(async _ =>
        {
            _publishRetry = null;
            await PublishAsync();
        }, TimeSpan.FromSeconds(5 + RandomNumberGenerator.GetInt32(10)));
    }

    private Health.HealthRecord HealthNow => new(Account.Health, Account.HealthReason, Account.HealthSince, Account.LastFailureAt, Account.LastWorkedAt);

    private bool Apply(Health.HealthChange change)
    {
        SetHealth(change.Record);
        if (change.Event is not { } type) return false;
        Raise(type);
        return true;
    }

    private void SetHealth(Health.HealthRecord record)
    {
        Account.Health = record.Health;
        Account.HealthReason = record.Reason;
        Account.HealthSince = record.Since;
        Account.LastFailureAt = record.LastFailureAt;
        Account.LastWorkedAt = record.LastWorkedAt;
    }

    /// <summary>Stores that a refresh is about to call the token endpoint, so that a silo dying mid-call leaves a trace.</summary>
    public async Task<StartMark> MarkRefreshStartedAsync(DateTimeOffset now)
    {
        var previous = Account.RefreshStartedAt;
        Account.RefreshStartedAt = now;
        try
        {
            await state.WriteStateAsync();
            _lastUsedUnsaved = false;
            return StartMark.Stored;
        }
        catch (InconsistentStateException)
        {
            await state.ReadStateAsync();
            _secrets = null;
            return StartMark.Conflict;
        }
        catch (StorageUnavailableException)
        {
            Account.RefreshStartedAt = previous;
            return StartMark.StorageUnavailable;
        }
    }

    /// <summary>
    /// Stores tokens the app just issued, which <see cref="Account"/> already holds in place of the envelope
    /// <paramref name="presented"/>. If storage refuses, they stay here as the account's current tokens and the write
    /// is retried until it succeeds.
    /// </summary>
    public Task StoreRotationAsync(byte[] presented)
    {
        _unsaved = new UnsavedRotation(presented, TokenFields.Of(Account), Secrets);
        return SaveRotationAsync(CancellationToken.None);
    }

    /// <summary>Before any other change: a held rotation goes to storage first, or the change is refused.</summary>
    /// <exception cref="StorageUnavailableException">Storage still refuses the held rotation.</exception>
    public async Task SettleRotationAsync()
    {
        if (_unsaved is null) return;
        await SaveRotationAsync(CancellationToken.None);
        if (_unsaved is not null) throw new StorageUnavailableException();
    }

    /// <summary>A step reads the credentials: audited first (or refused), its time buffered and stored with the next write or flush.</summary>
    /// <exception cref="AuditUnavailableException">The audit trail could not keep the read.</exception>
    public void RecordRead(WorkflowStep step)
    {
        audit.RecordRead(Event(AuditTrail.CredentialsRead, Principal.Actor($"workflow:{step.WorkflowId}")!, step, detail: null));
        Account.LastUsedAt = time.GetUtcNow();
        _lastUsedUnsaved = true;
    }

    /// <summary>Stores a buffered last-used time, and retries an index row that failed to update.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        // A held rotation carries the last-used time with it when its write succeeds.
        if (_unsaved is not null) return;
        if (_lastUsedUnsaved)
        {
            await state.WriteStateAsync(cancellationToken);
            _lastUsedUnsaved = false;
            _indexStale = true;
        }
        if (_indexStale) await MirrorAsync();
    }

    public async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved is not null)
        {
            // Deactivation was not ours to delay (the silo is shutting down): one last try to keep the rotated tokens.
            await SaveRotationAsync(cancellationToken, retryLater: false);
            if (_unsaved is not null) LogRotationLost(logger, id, Account.AppSlug, reason.Description);
            return;
        }
        if (state.RecordExists) await FlushAsync(cancellationToken);
    }

    public void Audit(string action, string actor, WorkflowStep? step = null, string? detail = null) => audit.Record(Event(action, actor, step, detail));

    private AuditEvent Event(string action, string actor, WorkflowStep? step, string? detail)
        => new(time.GetUtcNow(), id, Account.WorkspaceId ?? "", action, actor, step?.WorkflowId, step?.StepId, detail);

    private async Task SaveRotationAsync(CancellationToken cancellationToken, bool retryLater = true)
    {
        var conflicts = 0;
        while (_unsaved is { } rotation)
        {
            Account.UpdatedAt = time.GetUtcNow();
            Exception failure;
            try
            {
                await state.WriteStateAsync(cancellationToken);
                await RotationStoredAsync(rotation);
                return;
            }
            catch (Exception e) when (e is StorageUnavailableException or InconsistentStateException)
            {
                failure = e;
            }
            if (failure is InconsistentStateException && conflicts++ < 3)
            {
                try
                {
                    await SettleConflictAsync(rotation);
                    continue;
                }
                catch (StorageUnavailableException)
                {
                    // Cannot even reread: retry later like any other storage failure.
                }
            }
            rotation.FailedWrites++;
            if (rotation.FailedWrites == 1) LogRotationUnsaved(logger, id, Account.AppSlug);
            if (!retryLater) return;
            // Nothing else holds these tokens: keep this activation, and its retries, alive until they are stored.
            activation.KeepAlive(true);
            rotation.Retry?.Dispose();
            rotation.Retry = activation.Schedule(ct => SaveRotationAsync(ct),
                RefreshPolicy.StorageRetryDelay(rotation.FailedWrites, RandomNumberGenerator.GetInt32(1000) / 1000d));
            return;
        }
    }

    /// <summary>
    /// Another write reached storage since this activation read it. Reread, then: our own earlier write (which reported
    /// a failure) may have landed; or the stored credentials are still the ones whose refresh token we presented, so
    /// ours go on top; or they are newer than ours (a reconnect, another activation's refresh), and those are kept.
    /// </summary>
    private async Task SettleConflictAsync(UnsavedRotation rotation)
    {
        try
        {
            await state.ReadStateAsync();
        }
        catch (StorageUnavailableException)
        {
            rotation.Fields.ApplyTo(Account);
            _secrets = rotation.Secrets;
            throw;
        }
        var stored = Account.SealedSecrets;
        if (stored is not null && stored.AsSpan().SequenceEqual(rotation.Fields.SealedSecrets))
        {
            _secrets = rotation.Secrets;
            await RotationStoredAsync(rotation);
        }
        else if (stored is not null && stored.AsSpan().SequenceEqual(rotation.Presented))
        {
            rotation.Fields.ApplyTo(Account);
            _secrets = rotation.Secrets;
        }
        else
        {
            _secrets = null;
            Released(rotation);
            LogNewerTokensStored(logger, id);
        }
    }

    private async Task RotationStoredAsync(UnsavedRotation rotation)
    {
        Released(rotation);
        Audit("refreshed", "service");
        await MirrorAsync();
        await PublishAsync();
    }

    private void Released(UnsavedRotation rotation)
    {
        rotation.Retry?.Dispose();
        if (rotation.FailedWrites > 0)
        {
            LogRotationStored(logger, id, rotation.FailedWrites);
            activation.KeepAlive(false);
        }
        _unsaved = null;
        _lastUsedUnsaved = false;
    }

    private async Task MirrorAsync()
    {
        try
        {
            await index.UpsertAsync(activation.Summary(), Account.DeletedAt is not null, CancellationToken.None);
            _indexStale = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            _indexStale = true;
            LogIndexFailed(logger, id, e.GetType().Name);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: {App} rotated its tokens and storage has not accepted them yet; they are held in memory and the write is retried, and no refresh is sent until it succeeds")]
    private static partial void LogRotationUnsaved(ILogger logger, string accountId, string app);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: rotated tokens stored after {FailedWrites} failed write(s)")]
    private static partial void LogRotationStored(ILogger logger, string accountId, int failedWrites);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Account {AccountId}: deactivated ({Reason}) while storage still refused its rotated {App} tokens; they are lost, and the account will need reconnecting if {App} refuses the previous refresh token")]
    private static partial void LogRotationLost(ILogger logger, string accountId, string app, string? reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: another activation stored newer tokens first; using them")]
    private static partial void LogNewerTokensStored(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: the event outbox refused {Count} event(s); they are kept with the account and handed over again")]
    private static partial void LogPublishFailed(ILogger logger, string accountId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the index row of account {AccountId} ({Error}); retried on its next change")]
    private static partial void LogIndexFailed(ILogger logger, string accountId, string error);
}

using System.Text.Json;
using System.Diagnostics;
using System.Security.Cryptography;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Vault.Envelopes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Storage;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// One connected account: the single writer of its state. Every call that names a workspace is checked against the
/// account's before a secret is opened; a warm credential read touches neither storage nor the network (last-used
/// time and the audit event are buffered).
/// </summary>
[GrainType("accounts.account")]
public sealed partial class ConnectedAccountGrain(
    [PersistentState(ConnectedAccountGrain.StateName, StorageNames.Grains)] IPersistentState<ConnectedAccountState> state,
    EnvelopeCipher cipher,
    AccountIndex index,
    AuditTrail audit,
    TokenClient tokens,
    IGrainFactory grains,
    OAuthClients clients,
    IOptions<ConnectionsOptions> options,
    ConnectionsTelemetry telemetry,
    TimeProvider time,
    ILogger<ConnectedAccountGrain> logger) : Grain, IConnectedAccountGrain, IAccountLifecycleGrain
{
    /// <summary>The stored state's name; the index rebuild reads rows by it.</summary>
    public const string StateName = "account";

    /// <summary>Tries within one refresh; a longer Retry-After is honoured across calls instead of blocking this one.</summary>
    private static readonly TimeSpan LongestWaitInCall = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan LastUsedFlushPeriod = TimeSpan.FromMinutes(1);
    private const int MaxLinks = 1000;

    private AccountSecrets? _secrets;
    private AppDefinition? _app;
    private int _consecutiveFailures;
    private DateTimeOffset _nextAttemptAt;
    private bool _lastUsedUnsaved;
    private bool _indexStale;
    private UnsavedRotation? _unsaved;
    private bool _refreshInterrupted;

    private string Id => this.GetPrimaryKeyString();

    private ConnectedAccountState Account => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SaveLastUsedAsync, new GrainTimerCreationOptions(LastUsedFlushPeriod, LastUsedFlushPeriod) { Interleave = false, KeepAlive = false });
        if (Account is { RefreshStartedAt: not null, AuthType: AuthType.OAuth2, DeletedAt: null } && Account.Health != AccountHealth.NeedsReconnect)
        {
            // An earlier activation called the token endpoint and never stored the answer: find out at once whether the
            // refresh token it presented still works (apps with a reuse window answer it), rather than at the next read.
            _refreshInterrupted = true;
            LogInterruptedRefresh(logger, Id, Account.AppSlug, Account.RefreshStartedAt.Value);
            this.RegisterGrainTimer(RecoverInterruptedRefreshAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        }
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_unsaved is not null)
        {
            // Deactivation was not ours to delay (the silo is shutting down): one last try to keep the rotated tokens.
            await SaveRotationAsync(cancellationToken, retryLater: false);
            if (_unsaved is not null) LogRotationLost(logger, Id, Account.AppSlug, reason.Description);
            return;
        }
        if (state.RecordExists) await SaveLastUsedAsync(cancellationToken);
    }

    Task<AccountSummary> IConnectedAccountGrain.GetAsync() => Task.FromResult(Summary(RequireExisting()));

    async Task<CredentialBundle> IConnectedAccountGrain.GetCredentialsAsync(CredentialRequest request)
    {
        if (request is null) throw Invalid("request", "is required");
        var account = RequireWorkspace(request.WorkspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        var step = new WorkflowStep(request.WorkflowId, request.StepId);
        if (!account.Links.Contains(step)) throw new StepNotLinkedException(Id, step);
        if (account.Health == AccountHealth.NeedsReconnect) throw new AccountNeedsReconnectException(Id, account.HealthReason ?? "the app refused its credentials");

        var secrets = account.AuthType == AuthType.OAuth2 ? await FreshTokensAsync(force: false) : OpenSecrets(account);
        account.LastUsedAt = time.GetUtcNow();
        _lastUsedUnsaved = true;
        Audit(AuditTrail.CredentialsRead, $"workflow:{request.WorkflowId}", step);
        telemetry.CredentialRead(account.AppSlug);
        return new CredentialBundle
        {
            AccountId = Id,
            AppSlug = account.AppSlug,
            AuthType = account.AuthType,
            AccessToken = secrets.AccessToken,
            TokenType = secrets.TokenType,
            ExpiresAt = account.AccessTokenExpiresAt,
            Scopes = account.Scopes,
            Fields = secrets.Fields,
        };
    }

    async Task<AccountSummary> IConnectedAccountGrain.LinkAsync(string workspaceId, WorkflowStep step)
    {
        CheckStep(step);
        var account = RequireWorkspace(workspaceId);
        await SettleRotationAsync();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        if (!account.Links.Contains(step))
        {
            if (account.Links.Count >= MaxLinks) throw Invalid("step", $"an account can be linked to at most {MaxLinks} steps");
            account.Links.Add(step);
            await SaveAsync("linked", $"workflow:{step.WorkflowId}", step);
        }
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.UnlinkAsync(string workspaceId, WorkflowStep step)
    {
        CheckStep(step);
        var account = RequireWorkspace(workspaceId);
        await SettleRotationAsync();
        if (account.Links.Remove(step)) await SaveAsync("unlinked", $"workflow:{step.WorkflowId}", step);
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.RenameAsync(string nickname, string actor)
    {
        var checkedName = AccountRules.Nickname(nickname);
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        await SettleRotationAsync();
        if (checkedName != account.Nickname)
        {
            account.Nickname = checkedName;
            await SaveAsync("renamed", who);
        }
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.RefreshAsync(string actor)
    {
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        // Key-based credentials have nothing to refresh.
        if (account.AuthType == AuthType.OAuth2)
        {
            await FreshTokensAsync(force: true);
            Audit("refresh_requested", who);
        }
        return Summary(account);
    }

    async Task IAccountLifecycleGrain.RefreshIfDueAsync(TimeSpan lookahead)
    {
        if (Account is { WorkspaceId: not null, DeletedAt: null, AuthType: AuthType.OAuth2 } && Account.Health != AccountHealth.NeedsReconnect)
        {
            try
            {
                await FreshTokensAsync(force: false, lookahead);
            }
            catch (Exception e) when (e is AccountException or StorageUnavailableException)
            {
                // The account's health (or the storage log) says what went wrong; the sweeper moves on.
            }
        }
    }

    async Task<AccountSummary> IConnectedAccountGrain.DeleteAsync(bool force, string actor)
    {
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        await SettleRotationAsync();
        if (account.DeletedAt is not null) return Summary(account);
        if (account.Links.Count > 0 && !force) throw new AccountStillLinkedException(Id, account.Links.ToArray());

        var unlinked = account.Links.Count;
        var revoked = account.AuthType == AuthType.OAuth2 && await RevokeAsync(account);
        account.SealedSecrets = null;
        account.DisplayFields.Clear();
        account.Links.Clear();
        account.AccessTokenExpiresAt = null;
        account.DeletedAt = time.GetUtcNow();
        account.Health = AccountHealth.Deleted;
        account.HealthReason = "deleted";
        _secrets = null;
        var detail = string.Join("; ", new[] { unlinked > 0 ? $"unlinked {unlinked} step(s)" : null, revoked ? "revoked at the app" : null }.OfType<string>());
        await SaveAsync("deleted", who, detail: detail.Length > 0 ? detail : null);
        return Summary(account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.CreateWithKeysAsync(NewKeyAccount request)
    {
        if (Account.WorkspaceId is not null) throw new InvalidOperationException($"Account {Id} already exists.");
        var now = time.GetUtcNow();
        Account.WorkspaceId = request.WorkspaceId;
        Account.AppSlug = request.AppSlug;
        Account.Nickname = request.Nickname;
        Account.AuthType = AuthType.Keys;
        Account.CreatedAt = now;
        Seal(new AccountSecrets(request.Values, null, null, null));
        Account.DisplayFields = new Dictionary<string, string>(request.DisplayFields, StringComparer.Ordinal);
        Account.Health = AccountHealth.Healthy;
        await SaveAsync("connected", request.Actor);
        LogConnected(logger, Id, request.AppSlug, request.WorkspaceId);
        return Summary(Account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor)
    {
        var account = RequireWorkspace(workspaceId);
        await SettleRotationAsync();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        Seal(new AccountSecrets(values, null, null, null));
        account.DisplayFields = new Dictionary<string, string>(displayFields, StringComparer.Ordinal);
        account.Health = AccountHealth.Healthy;
        account.HealthReason = null;
        await SaveAsync("reconnected", actor);
        return Summary(account);
    }

    async Task<bool> IAccountLifecycleGrain.RewrapAsync()
    {
        await SettleRotationAsync();
        if (Account.SealedSecrets is not { } sealedSecrets) return false;
        try
        {
            if (EnvelopeCipher.MasterKeyIdOf(sealedSecrets) == cipher.ActiveKeyId) return false;
            Account.SealedSecrets = cipher.Rewrap(sealedSecrets, Binding(Account));
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, Id, e.Message);
            throw new CredentialsUnavailableException(Id);
        }
        await SaveAsync("rewrapped", "service");
        return true;
    }

    async Task<AccountSummary> IAccountLifecycleGrain.CreateWithTokensAsync(NewOAuthAccount request)
    {
        if (Account.WorkspaceId is not null) throw new InvalidOperationException($"Account {Id} already exists.");
        Account.WorkspaceId = request.WorkspaceId;
        Account.AppSlug = request.AppSlug;
        Account.Nickname = request.Nickname;
        Account.AuthType = AuthType.OAuth2;
        Account.CreatedAt = time.GetUtcNow();
        ApplyTokens(request.Tokens, keepRefreshToken: null);
        await SaveAsync("connected", request.Actor);
        LogConnected(logger, Id, request.AppSlug, request.WorkspaceId);
        return Summary(Account);
    }

    async Task<(AccountSummary Summary, string? Warning)> IAccountLifecycleGrain.ReplaceTokensAsync(string workspaceId, ReceivedTokens received, string actor)
    {
        var account = RequireWorkspace(workspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        await SettleRotationAsync();
        var before = account.UpstreamIdentity;
        string? warning = null;
        if (before is not null && received.Identity is not null && before != received.Identity)
        {
            warning = $"This authorization belongs to a different {account.AppSlug} identity ({received.Identity}) than before ({before}); every linked workflow now acts as the new one.";
            LogIdentityChanged(logger, Id, account.AppSlug);
        }
        ApplyTokens(received, keepRefreshToken: null);
        _consecutiveFailures = 0;
        _nextAttemptAt = default;
        _refreshInterrupted = false;
        await SaveAsync("reconnected", actor, detail: warning is null ? null : "upstream identity changed");
        return (Summary(account), warning);
    }

    /// <summary>
    /// The token lifecycle. The grain runs one call at a time, so however many callers wait, one refresh happens and
    /// the rest find the new token. Before the token endpoint is called the refresh is recorded as in flight; its answer
    /// is stored before anything else, and if storage refuses it the new tokens stay here (the only valid ones) until a
    /// retried write succeeds, with no further refresh meanwhile.
    /// </summary>
    private async Task<AccountSecrets> FreshTokensAsync(bool force, TimeSpan lookahead = default)
    {
        for (var pass = 1; ; pass++)
        {
            var account = Account;
            var secrets = OpenSecrets(account);
            var now = time.GetUtcNow();
            var stillValid = account.AccessTokenExpiresAt is not { } expiresAt || expiresAt > now;
            if (_unsaved is not null)
            {
                // The app has rotated the tokens and storage has not taken them yet: presenting the stored refresh token
                // again would burn the chain, so callers get the new access token while it lasts.
                if (stillValid) return secrets;
                throw new StorageUnavailableException("The account's newest tokens are not stored yet because storage is unavailable; try again in a few seconds.");
            }
            var app = await AppAsync();
            var margin = app.OAuth?.RefreshMarginSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.DefaultRefreshMargin;
            if (!force && !RefreshPolicy.IsDue(account.AccessTokenExpiresAt, now + lookahead, margin)) return secrets;

            if (secrets.RefreshToken is null)
            {
                if (stillValid) return secrets;
                await MarkAsync(AccountHealth.NeedsReconnect, "the access token expired and the app issued no refresh token");
                throw new AccountNeedsReconnectException(Id, account.HealthReason!);
            }
            if (!force && now < _nextAttemptAt)
            {
                // A failing app is not hammered: until the back-off passes, callers get the old token while it lasts.
                if (stillValid) return secrets;
                throw new TokenRefreshFailedException(Id, account.HealthReason ?? "the app is failing; retrying later");
            }
            var client = await clients.FindAsync(account.AppSlug) ?? throw new OAuthClientNotConfiguredException(account.AppSlug);

            switch (await RecordRefreshStartAsync(now))
            {
                case StartRecord.Conflict when pass == 1:
                    // Another activation wrote first (after a partition): decide again on what it stored.
                    continue;
                case StartRecord.Conflict:
                case StartRecord.StorageUnavailable:
                    // A refresh whose answer could not be stored would risk the only valid refresh token: do not start one.
                    if (stillValid && !force) return secrets;
                    throw new StorageUnavailableException();
            }
            return await CallTokenEndpointAsync(app, client, secrets, stillValid && !force);
        }
    }

    private async Task<AccountSecrets> CallTokenEndpointAsync(AppDefinition app, OAuthClientCredentials client, AccountSecrets secrets, bool oldTokenWillDo)
    {
        var account = Account;
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var result = await tokens.RefreshAsync(app, client, secrets.RefreshToken!, Id, CancellationToken.None);
            if (result is TokenResult.Success success)
            {
                var refreshed = await StoreRefreshAsync(success.Grant, secrets);
                telemetry.Refreshed(account.AppSlug, "success", clock.Elapsed);
                return refreshed;
            }
            var failure = ((TokenResult.Failed)result).Failure;
            if (failure.Unanswered) _refreshInterrupted = true;
            if (failure.Kind == TokenFailureKind.NeedsReconnect)
            {
                var reason = _refreshInterrupted && account.RefreshStartedAt is { } startedAt
                    ? RefreshPolicy.LostRotationReason(app.Name, startedAt, failure.Reason)
                    : failure.Reason;
                telemetry.Refreshed(account.AppSlug, _refreshInterrupted ? "lost_rotation" : "needs_reconnect", clock.Elapsed);
                LogNeedsReconnect(logger, Id, account.AppSlug, reason);
                _refreshInterrupted = false;
                await MarkAsync(AccountHealth.NeedsReconnect, reason, refreshSettled: true);
                throw new AccountNeedsReconnectException(Id, reason);
            }
            var wait = RefreshPolicy.Backoff(attempt, failure.RetryAfter, RandomNumberGenerator.GetInt32(1000) / 1000d);
            if (RefreshPolicy.MayTryAgain(failure.Kind, attempt) && wait <= LongestWaitInCall)
            {
                await Task.Delay(wait, time);
                continue;
            }
            _consecutiveFailures++;
            _nextAttemptAt = time.GetUtcNow() + RefreshPolicy.Backoff(_consecutiveFailures, failure.RetryAfter, RandomNumberGenerator.GetInt32(1000) / 1000d);
            var failedReason = failure.Kind == TokenFailureKind.ClientMisconfigured ? $"the app rejected this service's OAuth client: {failure.Reason}" : failure.Reason;
            telemetry.Refreshed(account.AppSlug, failure.Kind.ToString().ToLowerInvariant(), clock.Elapsed);
            LogRefreshFailed(logger, Id, account.AppSlug, failedReason, _nextAttemptAt);
            // An answer from the app settles the refresh (it rotated nothing); silence leaves it open, because the
            // app may have rotated the refresh token and the answer never arrived.
            await MarkAsync(AccountHealth.Error, failedReason, refreshSettled: !_refreshInterrupted);
            if (oldTokenWillDo) return secrets;
            throw new TokenRefreshFailedException(Id, failedReason);
        }
    }

    private enum StartRecord { Stored, Conflict, StorageUnavailable }

    /// <summary>Stores that a refresh is about to call the token endpoint, so that a silo dying mid-call leaves a trace.</summary>
    private async Task<StartRecord> RecordRefreshStartAsync(DateTimeOffset now)
    {
        var previous = Account.RefreshStartedAt;
        Account.RefreshStartedAt = now;
        try
        {
            await state.WriteStateAsync();
            _lastUsedUnsaved = false;
            return StartRecord.Stored;
        }
        catch (InconsistentStateException)
        {
            await ReloadAsync();
            return StartRecord.Conflict;
        }
        catch (StorageUnavailableException)
        {
            Account.RefreshStartedAt = previous;
            return StartRecord.StorageUnavailable;
        }
    }

    /// <summary>Seals and stores the new tokens first; callers get the new access token once they are stored, or held here.</summary>
    private async Task<AccountSecrets> StoreRefreshAsync(TokenGrant grant, AccountSecrets previous)
    {
        var presented = Account.SealedSecrets!;
        ApplyTokens(new ReceivedTokens(grant.AccessToken, grant.RefreshToken, grant.TokenType, grant.ExpiresAt, grant.Scopes ?? Account.Scopes, grant.Identity ?? Account.UpstreamIdentity),
            keepRefreshToken: previous.RefreshToken);
        Account.LastRefreshedAt = time.GetUtcNow();
        _consecutiveFailures = 0;
        _nextAttemptAt = default;
        _refreshInterrupted = false;
        _unsaved = new UnsavedRotation(presented, TokenFields.Of(Account), _secrets!);
        await SaveRotationAsync(CancellationToken.None);
        return OpenSecrets(Account);
    }

    /// <summary>
    /// Writes the held rotation. Success audits it and updates the index; an ETag conflict is settled against what is
    /// stored; a storage failure keeps the tokens here and schedules another write.
    /// </summary>
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
                RotationSaved(rotation);
                Audit("refreshed", "service");
                await UpdateIndexAsync();
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
            if (rotation.FailedWrites == 1) LogRotationUnsaved(logger, Id, Account.AppSlug);
            if (!retryLater) return;
            // Nothing else holds these tokens: keep this activation (and its retries) alive until they are stored.
            DelayDeactivation(TimeSpan.FromDays(1));
            var delay = RefreshPolicy.StorageRetryDelay(rotation.FailedWrites, RandomNumberGenerator.GetInt32(1000) / 1000d);
            rotation.Retry?.Dispose();
            rotation.Retry = this.RegisterGrainTimer(RetryRotationAsync, new GrainTimerCreationOptions(delay, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
            return;
        }
    }

    private Task RetryRotationAsync(CancellationToken cancellationToken) => SaveRotationAsync(cancellationToken);

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
            RotationSaved(rotation);
            Audit("refreshed", "service");
            await UpdateIndexAsync();
        }
        else if (stored is not null && stored.AsSpan().SequenceEqual(rotation.Presented))
        {
            rotation.Fields.ApplyTo(Account);
            _secrets = rotation.Secrets;
        }
        else
        {
            _secrets = null;
            RotationSaved(rotation);
            LogConcurrentRefresh(logger, Id);
        }
    }

    private void RotationSaved(UnsavedRotation rotation)
    {
        rotation.Retry?.Dispose();
        if (rotation.FailedWrites > 0)
        {
            LogRotationSaved(logger, Id, rotation.FailedWrites);
            DelayDeactivation(TimeSpan.FromSeconds(-1));
        }
        _unsaved = null;
        _lastUsedUnsaved = false;
    }

    /// <summary>Before any other change: the held rotation goes to storage first, or the change is refused.</summary>
    private async Task SettleRotationAsync()
    {
        if (_unsaved is null) return;
        await SaveRotationAsync(CancellationToken.None);
        if (_unsaved is not null) throw new StorageUnavailableException();
    }

    private async Task RecoverInterruptedRefreshAsync(CancellationToken cancellationToken)
    {
        if (!_refreshInterrupted || Account is not { RefreshStartedAt: not null, DeletedAt: null } || Account.Health == AccountHealth.NeedsReconnect) return;
        try
        {
            await FreshTokensAsync(force: true);
        }
        catch (Exception e) when (e is AccountException or StorageUnavailableException)
        {
            // Health (or the storage log) says what happened; the next read or sweep tries again.
        }
    }

    private async Task ReloadAsync()
    {
        await state.ReadStateAsync();
        _secrets = null;
    }

    private void ApplyTokens(ReceivedTokens received, string? keepRefreshToken)
    {
        Seal(new AccountSecrets(new Dictionary<string, string>(), received.AccessToken, received.RefreshToken ?? keepRefreshToken, received.TokenType));
        Account.AccessTokenExpiresAt = received.ExpiresAt;
        Account.Scopes = received.Scopes.ToList();
        Account.UpstreamIdentity = received.Identity ?? Account.UpstreamIdentity;
        Account.Health = AccountHealth.Healthy;
        Account.HealthReason = null;
        Account.RefreshStartedAt = null;
    }

    /// <param name="refreshSettled">The app answered, so no rotation can be outstanding: the in-flight mark goes too.</param>
    private async Task MarkAsync(AccountHealth health, string reason, bool refreshSettled = true)
    {
        var settle = refreshSettled && Account.RefreshStartedAt is not null;
        if (Account.Health == health && Account.HealthReason == reason && !settle) return;
        Account.Health = health;
        Account.HealthReason = reason;
        if (settle) Account.RefreshStartedAt = null;
        await SaveAsync(health == AccountHealth.NeedsReconnect ? "needs_reconnect" : "refresh_failed", "service", detail: reason);
    }

    private async Task<bool> RevokeAsync(ConnectedAccountState account)
    {
        try
        {
            var secrets = OpenSecrets(account);
            var app = await AppAsync();
            if (await clients.FindAsync(account.AppSlug) is not { } client) return false;
            var (token, hint) = secrets.RefreshToken is { } refresh ? (refresh, "refresh_token") : (secrets.AccessToken, "access_token");
            return token is not null && await tokens.RevokeAsync(app, client, token, hint, Id, CancellationToken.None);
        }
        catch (CredentialsUnavailableException)
        {
            // Nothing to revoke with; the secrets are erased all the same.
            return false;
        }
    }

    private async Task<AppDefinition> AppAsync()
        => _app ??= await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(Account.AppSlug)
            ?? throw new AccountNeedsReconnectException(Id, $"the app '{Account.AppSlug}' is no longer in the catalog");

    private ConnectedAccountState RequireExisting()
    {
        if (!AccountIds.IsValid(Id)) throw Invalid("accountId", AccountIds.Rule);
        return Account.WorkspaceId is null ? throw new AccountNotFoundException(Id) : Account;
    }

    /// <summary>The tenancy gate: runs before anything is decrypted.</summary>
    private ConnectedAccountState RequireWorkspace(string workspaceId)
    {
        if (!AccountRules.IsIdentifier(workspaceId)) throw Invalid("workspaceId", AccountRules.IdentifierRule);
        var account = RequireExisting();
        if (!string.Equals(account.WorkspaceId, workspaceId, StringComparison.Ordinal))
        {
            LogWrongWorkspace(logger, Id);
            throw new AccountAccessDeniedException(Id);
        }
        return account;
    }

    private AccountSecrets OpenSecrets(ConnectedAccountState account)
    {
        if (_secrets is not null) return _secrets;
        if (account.SealedSecrets is null) throw new CredentialsUnavailableException(Id);
        try
        {
            var plaintext = cipher.Open(account.SealedSecrets, Binding(account));
            return _secrets = JsonSerializer.Deserialize<AccountSecrets>(plaintext)!;
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, Id, e.Message);
            throw new CredentialsUnavailableException(Id);
        }
    }

    private void Seal(AccountSecrets secrets)
    {
        Account.SealedSecrets = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(secrets), Binding(Account));
        _secrets = secrets;
    }

    private CredentialBinding Binding(ConnectedAccountState account) => new(account.WorkspaceId!, Id);

    /// <summary>Persists, then mirrors the change into the index (rebuildable, so its failure is logged, not thrown).</summary>
    private async Task SaveAsync(string action, string actor, WorkflowStep? step = null, string? detail = null)
    {
        Account.UpdatedAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch (Exception e) when (e is StorageUnavailableException or InconsistentStateException)
        {
            // The change in memory did not reach storage; start over from what storage holds. (No rotation is held
            // here: every change settles one first.)
            _secrets = null;
            DeactivateOnIdle();
            if (e is InconsistentStateException) throw new StorageUnavailableException("The account was changed elsewhere at the same moment; try again.");
            throw;
        }
        _lastUsedUnsaved = false;
        Audit(action, actor, step, detail);
        await UpdateIndexAsync();
    }

    private async Task UpdateIndexAsync()
    {
        try
        {
            await index.UpsertAsync(Summary(Account), Account.DeletedAt is not null, CancellationToken.None);
            _indexStale = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            _indexStale = true;
            LogIndexFailed(logger, Id, e.GetType().Name);
        }
    }

    private async Task SaveLastUsedAsync(CancellationToken cancellationToken)
    {
        // An unsaved rotation carries the last-used time with it when its write succeeds.
        if (_unsaved is not null) return;
        if (_lastUsedUnsaved)
        {
            await state.WriteStateAsync(cancellationToken);
            _lastUsedUnsaved = false;
            _indexStale = true;
        }
        if (_indexStale) await UpdateIndexAsync();
    }

    private void Audit(string action, string actor, WorkflowStep? step = null, string? detail = null)
        => audit.Record(new AuditEvent(time.GetUtcNow(), Id, Account.WorkspaceId ?? "", action, actor, step?.WorkflowId, step?.StepId, detail));

    private AccountSummary Summary(ConnectedAccountState account) => Summarize(Id, account,
        account.AuthType == AuthType.OAuth2 && account.AccessTokenExpiresAt is { } expires && account.DeletedAt is null
            ? expires - (_app?.OAuth?.RefreshMarginSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : options.Value.DefaultRefreshMargin)
            : null);

    /// <summary>The secret-free view of a stored account (the index holds exactly this).</summary>
    public static AccountSummary Summarize(string id, ConnectedAccountState account, DateTimeOffset? nextRefreshAt) => new()
    {
        Id = id,
        WorkspaceId = account.WorkspaceId!,
        AppSlug = account.AppSlug,
        Nickname = account.Nickname,
        AuthType = account.AuthType,
        Health = account.Health,
        HealthReason = account.HealthReason,
        GrantedScopes = account.Scopes.ToArray(),
        AccessTokenExpiresAt = account.AccessTokenExpiresAt,
        LastRefreshedAt = account.LastRefreshedAt,
        NextRefreshAt = nextRefreshAt,
        CreatedAt = account.CreatedAt,
        UpdatedAt = account.UpdatedAt,
        LastUsedAt = account.LastUsedAt,
        LinkedSteps = account.Links.ToArray(),
        Fields = new Dictionary<string, string>(account.DisplayFields, StringComparer.Ordinal),
        UpstreamIdentity = account.UpstreamIdentity,
    };

    private static void CheckStep(WorkflowStep? step)
    {
        if (step is null) throw Invalid("step", "is required");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AccountRules.IsIdentifier(step.WorkflowId)) errors["workflowId"] = [AccountRules.IdentifierRule];
        if (!AccountRules.IsIdentifier(step.StepId)) errors["stepId"] = [AccountRules.IdentifierRule];
        if (errors.Count > 0) throw new AccountValidationException(errors);
    }

    private static AccountValidationException Invalid(string field, string message)
        => new(new Dictionary<string, string[]> { [field] = [message] });

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} connected to {App} in workspace {WorkspaceId}")]
    private static partial void LogConnected(ILogger logger, string accountId, string app, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A caller from another workspace asked for account {AccountId}; refused")]
    private static partial void LogWrongWorkspace(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot open the credentials of account {AccountId}: {Problem}")]
    private static partial void LogCannotOpen(ILogger logger, string accountId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} needs reconnect: {App} answered {Reason}")]
    private static partial void LogNeedsReconnect(ILogger logger, string accountId, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} could not refresh its {App} token ({Reason}); next try after {NextAttempt}")]
    private static partial void LogRefreshFailed(ILogger logger, string accountId, string app, string reason, DateTimeOffset nextAttempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: another activation stored newer tokens first; using them")]
    private static partial void LogConcurrentRefresh(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} was reconnected to a different {App} identity")]
    private static partial void LogIdentityChanged(ILogger logger, string accountId, string app);

    [LoggerMessage(Level = LogLevel.Error, Message = "Account {AccountId}: {App} rotated its tokens and storage has not accepted them yet; they are held in memory and the write is retried, and no refresh is sent until it succeeds")]
    private static partial void LogRotationUnsaved(ILogger logger, string accountId, string app);

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId}: rotated tokens stored after {FailedWrites} failed write(s)")]
    private static partial void LogRotationSaved(ILogger logger, string accountId, int failedWrites);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Account {AccountId}: deactivated ({Reason}) while storage still refused its rotated {App} tokens; they are lost, and the account will need reconnecting if {App} refuses the previous refresh token")]
    private static partial void LogRotationLost(ILogger logger, string accountId, string app, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: a refresh at {App} started at {StartedAt} never stored its answer; trying the stored refresh token again now")]
    private static partial void LogInterruptedRefresh(ILogger logger, string accountId, string app, DateTimeOffset startedAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the index row of account {AccountId} ({Error}); retried on its next change")]
    private static partial void LogIndexFailed(ILogger logger, string accountId, string error);
}

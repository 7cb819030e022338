using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Contracts.Storage;

namespace Accounts.Orleans.Connections.Connect;

/// <summary>
/// One connect session (key: its id). Everything the page does goes through here with the token, and is confined to
/// the session's workspace and apps whatever the page sends; the first account connected, reconnected or chosen
/// spends it. A failed consent does not: the person may try again until the session expires.
/// </summary>
[GrainType("accounts.connect-session")]
public sealed partial class ConnectSessionGrain(
    [PersistentState(ConnectSessionGrain.StateName, StorageNames.Grains)] IPersistentState<ConnectSessionState> state,
    IGrainFactory grains,
    Webhooks.EventOutbox outbox,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<ConnectSessionGrain> logger) : Grain, IConnectSessionGrain, IConnectSessionUseGrain, IConnectSessionSetupGrain
{
    /// <summary>The name its rows carry in grain storage, which the purge of old sessions goes by.</summary>
    public const string StateName = "connect-session";

    private ConnectSessionState Session => state.State;

    /// <summary>A key connect holds the session spent while it runs; until it ends the backend still sees it pending.</summary>
    private bool _connecting;

    private string Id => this.GetPrimaryKeyString();

    /// <summary>Who the audit names for what the page does: the session, which names the key that created it.</summary>
    private string Actor => $"connect-session:{Id}";

    // Events a write stored whose activation ended before the outbox took them go at the next activation.
    public override Task OnActivateAsync(CancellationToken cancellationToken) => outbox.TryPublishAsync(Session.PendingEvents);

    /// <summary>Stores the session with an event about it, then hands the event to the outbox.</summary>
    private async Task WriteWithEventAsync(string type, string? accountId, string? error)
    {
        Session.PendingEvents.Add(Webhooks.OutboxEvent.New(type, Session.WorkspaceId!, time, new()
        {
            ["connect_session_id"] = Id,
            ["end_user_id"] = Session.EndUserId,
            ["account_id"] = accountId,
            ["error"] = error,
        }));
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            Session.PendingEvents.RemoveAt(Session.PendingEvents.Count - 1);
            throw;
        }
        await outbox.TryPublishAsync(Session.PendingEvents);
    }

    async Task<ConnectSessionView> IConnectSessionSetupGrain.BeginAsync(ConnectSessionBegin begin)
    {
        if (Session.WorkspaceId is not null) throw new InvalidOperationException($"Connect session {Id} already exists.");
        var request = begin.Request;
        Session.WorkspaceId = request.WorkspaceId;
        Session.EndUserId = request.EndUserId;
        Session.Apps = [.. begin.Apps];
        Session.ReconnectAccountId = request.ReconnectAccountId;
        Session.SuccessRedirectUrl = request.SuccessRedirectUrl;
        Session.ErrorRedirectUrl = request.ErrorRedirectUrl;
        Session.TokenHash = begin.TokenHash;
        Session.CreatedAt = time.GetUtcNow();
        Session.ExpiresAt = Session.CreatedAt + begin.Lifetime;
        Session.CreatedBy = begin.CreatedBy;
        Session.Status = ConnectSessionStatus.Pending;
        await state.WriteStateAsync();
        return View();
    }

    async Task<ConnectSessionView> IConnectSessionGrain.GetAsync()
    {
        if (Session.WorkspaceId is not { } workspace || !Tenancy.Sees(workspace)) throw new ConnectSessionNotFoundException(Id);
        await SettleFlowsAsync();
        return View();
    }

    async Task<ConnectSessionView> IConnectSessionUseGrain.OpenAsync(string token)
    {
        await RequirePendingAsync(token);
        return View();
    }

    async Task<AccountSummary> IConnectSessionUseGrain.ConnectWithKeysAsync(string token, string appSlug, string nickname, IReadOnlyDictionary<string, string> fields)
    {
        await RequirePendingAsync(token);
        RequireAllowed(appSlug);
        // Spent before the account exists: should storage fail once the account is connected, the session stays spent
        // rather than open for a second account. A connect that fails opens it again for another try.
        await SpendAsync();
        _connecting = true;
        AccountSummary account;
        try
        {
            var connector = grains.GetGrain<IAccountConnectorGrain>(0);
            account = Session.ReconnectAccountId is { } reconnect
                ? await connector.ReconnectWithKeysAsync(new KeyReconnectRequest { AccountId = reconnect, WorkspaceId = Session.WorkspaceId!, Fields = fields, Actor = Actor })
                : await connector.ConnectWithKeysAsync(new KeyConnectRequest { WorkspaceId = Session.WorkspaceId!, AppSlug = appSlug, Nickname = nickname, Fields = fields, Actor = Actor });
        }
        catch
        {
            _connecting = false;
            await ReopenAsync();
            throw;
        }
        _connecting = false;
        try
        {
            await CompleteAsync(account.Id);
        }
        catch (StorageUnavailableException)
        {
            // The account is connected and the session is stored as spent; only its account id waits for the next write.
            LogOutcomeNotStored(logger, Id, account.Id);
        }
        return account;
    }

    private async Task SpendAsync()
    {
        Session.Status = ConnectSessionStatus.Completed;
        Session.CompletedAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            Session.Status = ConnectSessionStatus.Pending;
            Session.CompletedAt = null;
            throw;
        }
    }

    private async Task ReopenAsync()
    {
        Session.Status = ConnectSessionStatus.Pending;
        Session.CompletedAt = null;
        try
        {
            await state.WriteStateAsync();
        }
        catch (StorageUnavailableException)
        {
            // Stored as spent with no account: the link no longer works and the person needs a new one, which is the
            // safe side of a session meant to connect once.
            Session.Status = ConnectSessionStatus.Completed;
            LogNotReopened(logger, Id);
        }
    }

    async Task<OAuthStarted> IConnectSessionUseGrain.StartOAuthAsync(string token, string appSlug, string nickname, IReadOnlyDictionary<string, string>? settings)
    {
        await RequirePendingAsync(token);
        RequireAllowed(appSlug);
        var started = await grains.GetGrain<IAccountConnectorGrain>(0).StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = Session.WorkspaceId!,
            AppSlug = appSlug,
            Nickname = nickname,
            Actor = Actor,
            ReconnectAccountId = Session.ReconnectAccountId,
            ConnectSessionId = Id,
            Settings = settings ?? new Dictionary<string, string>(),
        });
        Session.Flows.Add(OAuthState.FlowKey(started.State));
        await state.WriteStateAsync();
        return started;
    }

    async Task<ConnectSessionView> IConnectSessionUseGrain.ChooseAccountAsync(string token, string accountId)
    {
        await RequirePendingAsync(token);
        if (Session.ReconnectAccountId is not null) throw new ConnectSessionRefusedException(ConnectSessionRefusal.AppNotAllowed);
        var account = AccountIds.IsValid(accountId) ? await grains.GetGrain<IConnectedAccountGrain>(accountId).GetAsync() : null;
        // Another workspace's account is exactly as unknown to the page as an id nobody has.
        if (account is null || account.WorkspaceId != Session.WorkspaceId || account.Health == AccountHealth.Deleted)
            throw new AccountNotFoundException(accountId);
        RequireAllowed(account.AppSlug);
        await CompleteAsync(account.Id);
        return View();
    }

    async Task IConnectSessionUseGrain.FlowEndedAsync(string flowKey, string? accountId, string? error)
    {
        if (!Session.Flows.Remove(flowKey)) return;
        if (accountId is not null && Session.Status == ConnectSessionStatus.Pending) await CompleteAsync(accountId);
        else
        {
            Session.Error = error;
            await WriteWithEventAsync(Contracts.Webhooks.WebhookEventTypes.ConnectSessionFailed, null, error);
        }
    }

    /// <exception cref="ConnectSessionRefusedException">The token does not open this session, or the session is over.</exception>
    private async Task RequirePendingAsync(string? token)
    {
        RequireToken(token);
        await SettleFlowsAsync();
        if (Session.Status != ConnectSessionStatus.Pending) throw new ConnectSessionRefusedException(ConnectSessionRefusal.Spent);
        if (time.GetUtcNow() >= Session.ExpiresAt) throw new ConnectSessionRefusedException(ConnectSessionRefusal.Expired);
    }

    /// <summary>
    /// A flow this session started tells it how it ended (<see cref="IConnectSessionUseGrain.FlowEndedAsync"/>). When
    /// that report did not get through (storage refused this session's write, and the activation has gone since), the
    /// flow's own stored outcome settles the session before it is shown or used again, so it cannot connect twice.
    /// </summary>
    private async Task SettleFlowsAsync()
    {
        if (Session.Flows.Count == 0 || Session.Status != ConnectSessionStatus.Pending) return;
        var settled = false;
        foreach (var flowKey in Session.Flows.ToList())
        {
            var outcome = await grains.GetGrain<IOAuthFlowSetupGrain>(flowKey).OutcomeAsync();
            if (outcome.Status == OAuthFlowStatus.Pending) continue;
            Session.Flows.Remove(flowKey);
            settled = true;
            if (outcome is { Status: OAuthFlowStatus.Completed, AccountId: { } accountId })
            {
                Session.Status = ConnectSessionStatus.Completed;
                Session.AccountId = accountId;
                Session.Error = null;
                Session.CompletedAt = time.GetUtcNow();
                await WriteWithEventAsync(Contracts.Webhooks.WebhookEventTypes.ConnectSessionCompleted, accountId, null);
                return;
            }
        }
        if (settled) await state.WriteStateAsync();
    }

    private void RequireToken(string? token)
    {
        if (Session.WorkspaceId is null || !ConnectTokens.TryParse(token, out var id, out var secret) || id != Id || !ConnectTokens.Matches(secret, Session.TokenHash))
        {
            LogRefused(logger, Id);
            throw new ConnectSessionRefusedException(ConnectSessionRefusal.Unknown);
        }
    }

    private void RequireAllowed(string? appSlug)
    {
        if (Session.Apps.Count > 0 && !Session.Apps.Contains(appSlug ?? "", StringComparer.Ordinal))
            throw new ConnectSessionRefusedException(ConnectSessionRefusal.AppNotAllowed);
    }

    private async Task CompleteAsync(string accountId)
    {
        Session.Status = ConnectSessionStatus.Completed;
        Session.AccountId = accountId;
        Session.Error = null;
        Session.CompletedAt = time.GetUtcNow();
        await WriteWithEventAsync(Contracts.Webhooks.WebhookEventTypes.ConnectSessionCompleted, accountId, null);
    }

    private ConnectSessionView View() => new()
    {
        Id = Id,
        WorkspaceId = Session.WorkspaceId!,
        EndUserId = Session.EndUserId,
        Apps = Session.Apps,
        ReconnectAccountId = Session.ReconnectAccountId,
        Status = _connecting ? ConnectSessionStatus.Pending
            : Session.Status == ConnectSessionStatus.Pending && time.GetUtcNow() >= Session.ExpiresAt ? ConnectSessionStatus.Expired
            : Session.Status,
        AccountId = Session.AccountId,
        Error = Session.Error,
        CreatedAt = Session.CreatedAt,
        ExpiresAt = Session.ExpiresAt,
        CompletedAt = Session.CompletedAt,
        SuccessRedirectUrl = Session.SuccessRedirectUrl,
        ErrorRedirectUrl = Session.ErrorRedirectUrl,
        CreatedBy = Session.CreatedBy,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect session {SessionId} connected account {AccountId}, but storage refused to record which; the session stays spent")]
    private static partial void LogOutcomeNotStored(ILogger logger, string sessionId, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect session {SessionId}: a failed connect could not reopen it (storage unavailable); it stays spent")]
    private static partial void LogNotReopened(ILogger logger, string sessionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A connect page presented a token that does not open session {SessionId}")]
    private static partial void LogRefused(ILogger logger, string sessionId);
}

using Accounts.Orleans.Connections.Refresh;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Ids;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// One connected account: the single writer of its state. Every call that names a workspace is checked against the
/// account's before a secret is opened; a warm credential read touches neither storage nor the network. Its tokens are
/// kept fresh by an <see cref="AccountRefresher"/>, and what it keeps is stored by an <see cref="AccountStore"/>: this
/// grain checks the caller and orders the steps.
/// </summary>
[GrainType("accounts.account")]
public sealed partial class ConnectedAccountGrain(
    [PersistentState(ConnectedAccountGrain.StateName, StorageNames.Grains)] IPersistentState<ConnectedAccountState> state,
    AccountStores stores,
    AccountRefreshers refreshers,
    IGrainFactory grains,
    ConnectionsTelemetry telemetry,
    Keys.KeyVerifier verifier,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<ConnectedAccountGrain> logger) : Grain, IConnectedAccountGrain, IAccountLifecycleGrain, AccountStore.IActivation
{
    /// <summary>The stored state's name; the index rebuild reads rows by it.</summary>
    public const string StateName = "account";

    private static readonly TimeSpan FlushPeriod = TimeSpan.FromMinutes(1);
    private const int MaxLinks = 1000;

    private AccountStore? _store;
    private AccountRefresher? _refresher;
    private AppDefinition? _app;
    private DateTimeOffset? _forcedRefreshAt;
    /// <summary>An OAuth 1.0a account's consumer key, looked up once per activation so a warm read asks nothing of anyone.</summary>
    private string? _consumerKey;

    private string Id => this.GetPrimaryKeyString();

    private AccountStore Store => _store ??= stores.Open(Id, state, this);

    private AccountRefresher Refresher => _refresher ??= refreshers.For(Id, Store, AppAsync);

    private ConnectedAccountState Account => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(Store.FlushAsync, new GrainTimerCreationOptions(FlushPeriod, FlushPeriod) { Interleave = false, KeepAlive = false });
        var idle = options.Value.OpenedSecretsIdleTime;
        this.RegisterGrainTimer(() =>
        {
            Store.DropIdleSecrets();
            return Task.CompletedTask;
        }, new GrainTimerCreationOptions(idle, idle) { Interleave = false, KeepAlive = false });
        if (Account is { RefreshStartedAt: { } startedAt, DeletedAt: null } && Account.AuthType.IssuesTokens() && Account.Health != AccountHealth.NeedsReconnect)
        {
            // An earlier activation called the token endpoint and never stored the answer: find out at once whether the
            // refresh token it presented still works (apps with a reuse window answer it), rather than at the next read.
            Refresher.Unfinished = true;
            LogUnfinishedRefresh(logger, Id, Account.AppSlug, startedAt);
            this.RegisterGrainTimer(_ => Refresher.RecoverAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        }
        // A key account connected before periodic checks were on, or whose app gained a test request since, has no next
        // check, and the sweeper finds accounts only by it: its first activation gives it one.
        if (Account is { WorkspaceId: not null, DeletedAt: null, AuthType: AuthType.Keys, NextCheckAt: null } && options.Value.KeyCheckInterval > TimeSpan.Zero)
            this.RegisterGrainTimer(_ => ScheduleKeyCheckAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        // Events stored by a write whose activation died before the outbox took them.
        if (Account.PendingEvents.Count > 0)
            this.RegisterGrainTimer(_ => Store.PublishAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Store.OnDeactivateAsync(reason, cancellationToken);

    Task<AccountSummary> IConnectedAccountGrain.GetAsync() => Task.FromResult(AccountSummaries.AsOf(Summary(RequireExisting()), time.GetUtcNow()));

    Task<AccountSummary> IAccountLifecycleGrain.DescribeAsync() => Task.FromResult(AccountSummaries.AsOf(Summary(RequireExisting()), time.GetUtcNow()));

    async Task<CredentialBundle> IConnectedAccountGrain.GetCredentialsAsync(CredentialRequest request)
    {
        var (account, step) = RequireReadable(request);
        var secrets = account.AuthType.IssuesTokens() ? await Refresher.FreshAsync(force: false) : Store.Secrets;
        Store.RecordRead(step);
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
            Fields = account.AuthType switch
            {
                // A client secret or a private key fetches tokens; a step gets the token, not the secret.
                _ when account.AuthType.FetchesOwnTokens() => PublicFields(secrets.Fields, await AppAsync()),
                // The token secret signs only together with the deployment's consumer secret, which no step holds: signed
                // calls go through the proxy. The consumer key is what an app that takes key and token as they are needs.
                AuthType.OAuth1 => (_consumerKey ??= await Refresher.ClientIdAsync()) is { } consumerKey ? new Dictionary<string, string> { ["consumer_key"] = consumerKey } : [],
                _ => secrets.Fields,
            },
            Connection = new Dictionary<string, string>(account.Connection, StringComparer.Ordinal),
        };
    }

    async Task<Proxy.ProxyCredentials> IAccountLifecycleGrain.PrepareProxyAsync(CredentialRequest request, bool afterRefusal)
    {
        var (account, _) = RequireReadable(request);
        var oauth = account.AuthType.IssuesTokens();
        // An app that keeps answering 401 gets one refresh per cooldown, not one per proxied call.
        var refresh = afterRefusal && oauth && (_forcedRefreshAt is not { } last || time.GetUtcNow() - last >= options.Value.ForcedRefreshCooldown);
        var secrets = oauth ? await Refresher.FreshAsync(force: refresh) : Store.Secrets;
        if (refresh) _forcedRefreshAt = time.GetUtcNow();
        var values = new Dictionary<string, string>(secrets.Fields, StringComparer.Ordinal);
        if (secrets.AccessToken is { } token) values["access_token"] = token;
        if (secrets.TokenSecret is { } tokenSecret) values[Proxy.ProxyCredentials.TokenSecret] = tokenSecret;
        return new Proxy.ProxyCredentials(account.AppSlug, values, CanRefresh: oauth && !afterRefusal, account.Connection);
    }

    /// <summary>The checks of a credential read: the caller's workspace, a live account, a linked step, usable credentials.</summary>
    private (ConnectedAccountState Account, WorkflowStep Step) RequireReadable(CredentialRequest request)
    {
        var account = RequireWorkspace(request.WorkspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        var step = new WorkflowStep(request.WorkflowId, request.StepId);
        if (!account.Links.Contains(step)) throw new StepNotLinkedException(Id, step);
        if (account.Health == AccountHealth.NeedsReconnect) throw new AccountNeedsReconnectException(Id, account.HealthReason ?? "the app refused its credentials");
        return (account, step);
    }

    async Task<AccountSummary> IConnectedAccountGrain.LinkAsync(string workspaceId, WorkflowStep step)
    {
        AccountRules.Step(step);
        var account = RequireLive(workspaceId);
        await Store.SettleRotationAsync();
        if (!account.Links.Contains(step))
        {
            if (account.Links.Count >= MaxLinks) throw AccountRules.Invalid("step", $"an account can be linked to at most {MaxLinks} steps");
            account.Links.Add(step);
            await Store.SaveAsync("linked", Principal.Actor($"workflow:{step.WorkflowId}")!, step);
        }
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.UnlinkAsync(string workspaceId, WorkflowStep step)
    {
        AccountRules.Step(step);
        var account = RequireWorkspace(workspaceId);
        await Store.SettleRotationAsync();
        if (account.Links.Remove(step)) await Store.SaveAsync("unlinked", Principal.Actor($"workflow:{step.WorkflowId}")!, step);
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.RenameAsync(string nickname, string actor)
    {
        var checkedName = AccountRules.Nickname(nickname);
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        await Store.SettleRotationAsync();
        if (checkedName != account.Nickname)
        {
            account.Nickname = checkedName;
            await Store.SaveAsync("renamed", who);
        }
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.RefreshAsync(string actor)
    {
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        // Key-based credentials have nothing to refresh.
        // A token this fresh was just fetched on request: a burst of "refresh now" (a retry loop, a double click) waits
        // in line here and then finds it, costing the app one token call.
        var cooldownOver = _forcedRefreshAt is not { } last || time.GetUtcNow() - last >= options.Value.ForcedRefreshCooldown;
        if (account.AuthType.IssuesTokens() && cooldownOver)
        {
            await Refresher.FreshAsync(force: true);
            _forcedRefreshAt = time.GetUtcNow();
            Store.Audit("refresh_requested", who);
        }
        return Summary(account);
    }

    async Task IAccountLifecycleGrain.RefreshIfDueAsync(TimeSpan lookahead)
    {
        if (Account is not { WorkspaceId: not null, DeletedAt: null } || !Account.AuthType.IssuesTokens() || Account.Health == AccountHealth.NeedsReconnect) return;
        try
        {
            await Refresher.FreshAsync(force: false, lookahead);
        }
        catch (Exception e) when (e is AccountException or StorageUnavailableException)
        {
            // The account's health (or the storage log) says what went wrong; the sweeper moves on.
        }
    }

    async Task IAccountLifecycleGrain.SettleHealthAsync()
    {
        if (Account is not { WorkspaceId: not null, DeletedAt: null, Health: AccountHealth.Degraded }) return;
        await Store.SettleRotationAsync();
        if (Store.Settle(options.Value.RecoveryQuietPeriod)) await Store.SaveAsync("recovered", "service");
    }

    async Task IAccountLifecycleGrain.CheckKeysIfDueAsync()
    {
        var now = time.GetUtcNow();
        if (Account is not { WorkspaceId: not null, DeletedAt: null, AuthType: AuthType.Keys, NextCheckAt: { } due } || due > now || Account.Health == AccountHealth.NeedsReconnect) return;
        var app = await AppAsync();
        string outcome;
        try
        {
            await verifier.VerifyAsync(app, Store.Secrets.Fields, CancellationToken.None);
            Store.Observe(Health.HealthSignal.Worked, null, options.Value.RecoveryQuietPeriod);
            outcome = "the app accepted the keys";
        }
        catch (KeyVerificationFailedException e)
        {
            Store.Observe(e.Refused ? Health.HealthSignal.Refused : Health.HealthSignal.FailedTransiently, $"checking the keys: {e.AppAnswer}", options.Value.RecoveryQuietPeriod);
            outcome = e.AppAnswer;
        }
        Account.LastCheckedAt = now;
        Account.NextCheckAt = NextKeyCheck(app, now, first: false);
        await Store.SaveAsync("keys_checked", "service", detail: outcome);
    }

    private async Task ScheduleKeyCheckAsync()
    {
        if (Account is not { WorkspaceId: not null, DeletedAt: null, AuthType: AuthType.Keys, NextCheckAt: null }) return;
        if (NextKeyCheck(await AppAsync(), time.GetUtcNow(), first: true) is not { } next) return;
        await Store.SettleRotationAsync();
        Account.NextCheckAt = next;
        await Store.SaveAsync("key_check_scheduled", "service");
    }

    /// <summary>When the keys are next tried: about one interval on (±10%, so accounts connected together spread out), the first time anywhere within it.</summary>
    private DateTimeOffset? NextKeyCheck(AppDefinition app, DateTimeOffset now, bool first)
    {
        var interval = options.Value.KeyCheckInterval;
        if (interval <= TimeSpan.Zero || app.TestRequest is null) return null;
        var random = System.Security.Cryptography.RandomNumberGenerator.GetInt32(10_000) / 10_000d;
        var fraction = first ? 0.1 + 0.9 * random : 0.9 + 0.2 * random;
        return now + interval * fraction;
    }

    async Task<AccountSummary> IConnectedAccountGrain.DeleteAsync(bool force, string actor)
    {
        var who = AccountRules.Actor(actor);
        var account = RequireExisting();
        await Store.SettleRotationAsync();
        if (account.DeletedAt is not null) return Summary(account);
        if (account.Links.Count > 0 && !force) throw new AccountStillLinkedException(Id, account.Links.ToArray());

        var unlinked = account.Links.Count;
        var revoked = account.AuthType == AuthType.OAuth2 && await Refresher.RevokeAsync();
        Store.EraseSecrets();
        account.DisplayFields.Clear();
        account.Links.Clear();
        account.AccessTokenExpiresAt = null;
        account.DeletedAt = time.GetUtcNow();
        account.Health = AccountHealth.Deleted;
        account.HealthReason = "deleted";
        account.HealthSince = account.DeletedAt;
        account.NextCheckAt = null;
        Store.Raise(WebhookEventTypes.AccountDeleted);
        var detail = string.Join("; ", new[] { unlinked > 0 ? $"unlinked {unlinked} step(s)" : null, revoked ? "revoked at the app" : null }.OfType<string>());
        await Store.SaveAsync("deleted", who, detail: detail.Length > 0 ? detail : null);
        return Summary(account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.CreateWithKeysAsync(NewKeyAccount request)
    {
        Create(request.WorkspaceId, request.AppSlug, request.Nickname, AuthType.Keys);
        Account.DisplayFields = new Dictionary<string, string>(request.DisplayFields, StringComparer.Ordinal);
        if (request.Tokens is { } tokens)
        {
            UseConnection(tokens);
            Account.AuthType = await OwnTokensTypeAsync();
            Refresher.Apply(tokens, keepRefreshToken: null, await Refresher.PinsAsync(), request.Values);
        }
        else
        {
            Store.Seal(new AccountSecrets(request.Values, null, null, null));
            Account.NextCheckAt = NextKeyCheck(await AppAsync(), time.GetUtcNow(), first: true);
        }
        Store.Connected(WebhookEventTypes.AccountConnected);
        await Store.SaveAsync("connected", request.Actor);
        LogConnected(logger, Id, request.AppSlug, request.WorkspaceId);
        return Summary(Account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor,
        ReceivedTokens? tokens)
    {
        var account = RequireLive(workspaceId);
        await Store.SettleRotationAsync();
        account.DisplayFields = new Dictionary<string, string>(displayFields, StringComparer.Ordinal);
        if (tokens is not null)
        {
            account.NextCheckAt = null;
            UseConnection(tokens);
            // An account connected with keys to an app that now fetches its own tokens becomes a client or service account here.
            account.AuthType = await OwnTokensTypeAsync();
            Refresher.Apply(tokens, keepRefreshToken: null, await Refresher.PinsAsync(), values);
        }
        else
        {
            Store.Seal(new AccountSecrets(values, null, null, null));
            account.AuthType = AuthType.Keys;
            account.AccessTokenExpiresAt = null;
            account.NextCheckAt = NextKeyCheck(await AppAsync(), time.GetUtcNow(), first: true);
        }
        Store.Connected(WebhookEventTypes.AccountReconnected);
        await Store.SaveAsync("reconnected", actor);
        return Summary(account);
    }

    async Task<bool> IAccountLifecycleGrain.RewrapAsync()
    {
        await Store.SettleRotationAsync();
        if (!Store.Rewrap()) return false;
        await Store.SaveAsync("rewrapped", "service");
        return true;
    }

    async Task<AccountSummary> IAccountLifecycleGrain.CreateWithTokensAsync(NewOAuthAccount request)
    {
        Create(request.WorkspaceId, request.AppSlug, request.Nickname, request.Tokens.AuthType);
        UseConnection(request.Tokens);
        Refresher.Apply(request.Tokens, keepRefreshToken: null, await Refresher.PinsAsync());
        Store.Connected(WebhookEventTypes.AccountConnected);
        await Store.SaveAsync("connected", request.Actor);
        LogConnected(logger, Id, request.AppSlug, request.WorkspaceId);
        return Summary(Account);
    }

    async Task<(AccountSummary Summary, string? Warning)> IAccountLifecycleGrain.ReplaceTokensAsync(string workspaceId, ReceivedTokens received, string actor)
    {
        var account = RequireLive(workspaceId);
        await Store.SettleRotationAsync();
        string? warning = null;
        if (account.UpstreamIdentity is { } before && received.Identity is not null && before != received.Identity)
        {
            warning = $"This authorization belongs to a different {account.AppSlug} identity ({received.Identity}) than before ({before}); every linked workflow now acts as the new one.";
            LogIdentityChanged(logger, Id, account.AppSlug);
        }
        UseConnection(received);
        // An account connected with keys to an app that now connects with OAuth becomes an OAuth account here.
        account.AuthType = received.AuthType;
        account.DisplayFields.Clear();
        account.NextCheckAt = null;
        Refresher.Apply(received, keepRefreshToken: null, await Refresher.PinsAsync());
        Store.Connected(WebhookEventTypes.AccountReconnected);
        Refresher.Unfinished = false;
        await Store.SaveAsync("reconnected", actor, detail: warning is null ? null : "upstream identity changed");
        return (Summary(account), warning);
    }

    private void Create(string workspaceId, string appSlug, string nickname, AuthType authType)
    {
        if (Account.WorkspaceId is not null) throw new InvalidOperationException($"Account {Id} already exists.");
        Account.WorkspaceId = workspaceId;
        Account.AppSlug = appSlug;
        Account.Nickname = nickname;
        Account.AuthType = authType;
        Account.CreatedAt = time.GetUtcNow();
    }

    /// <summary>What an account that fetched its own tokens is: a service account where its app signs assertions, else a client.</summary>
    private async Task<AuthType> OwnTokensTypeAsync() => (await AppAsync()).AuthType == AuthType.JwtBearer ? AuthType.JwtBearer : AuthType.ClientCredentials;

    /// <summary>The fields a step may see: those the app does not mark secret.</summary>
    private static Dictionary<string, string> PublicFields(IReadOnlyDictionary<string, string> fields, AppDefinition app)
        => fields.Where(f => app.Fields.Any(d => d.Name == f.Key && !d.Secret)).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);

    /// <summary>The connection a consent was given under; the endpoints are pinned to what its values make of the app's URLs.</summary>
    private void UseConnection(ReceivedTokens tokens)
    {
        Account.Connection = new Dictionary<string, string>(tokens.Connection ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        _app = null;
    }

    /// <summary>The account's app, its URLs filled from the account's connection values (a shop, an instance).</summary>
    private async Task<AppDefinition> AppAsync()
    {
        if (_app is not null) return _app;
        var app = await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(Account.AppSlug)
            ?? throw new AccountNeedsReconnectException(Id, $"the app '{Account.AppSlug}' is no longer in the catalog");
        // Defaults stand in for settings an entry gained after the account connected, so the same URLs keep their pins.
        // A value no default can give (a capture the account never got) leaves the app unreachable for it. The API is the
        // proxy's to fill; an account without a value it needs can still refresh.
        var values = ConnectionUrls.ValuesOf(app, Account.Connection);
        return _app = ConnectionUrls.Resolve(app with { Api = null }, values, options.Value.AllowLoopbackHttp, out var unreachable)
            ?? throw new AccountNeedsReconnectException(Id, $"{app.Name}'s addresses cannot be formed for this account ({string.Join("; ", unreachable.Select(e => $"{e.Key} {e.Value[0]}"))})");
    }

    /// <summary>The account, when it exists and the caller's key may see it; otherwise the same "no account" as for an unknown id.</summary>
    private ConnectedAccountState RequireExisting()
    {
        if (!AccountIds.IsValid(Id)) throw AccountRules.Invalid("accountId", AccountIds.Rule);
        if (Account.WorkspaceId is null) throw new AccountNotFoundException(Id);
        if (Tenancy.Sees(Account.WorkspaceId)) return Account;
        LogWrongWorkspace(logger, Id);
        Store.Audit("access_refused", Principal.Current!.Name);
        throw new AccountNotFoundException(Id);
    }

    /// <summary>The tenancy gate: runs before anything is decrypted.</summary>
    private ConnectedAccountState RequireWorkspace(string workspaceId)
    {
        if (!WorkspaceIds.IsValid(workspaceId)) throw AccountRules.Invalid("workspaceId", WorkspaceIds.Rule);
        var account = RequireExisting();
        if (string.Equals(account.WorkspaceId, workspaceId, StringComparison.Ordinal)) return account;
        LogWrongWorkspace(logger, Id);
        throw new AccountAccessDeniedException(Id);
    }

    private ConnectedAccountState RequireLive(string workspaceId)
        => RequireWorkspace(workspaceId) is { DeletedAt: null } account ? account : throw new AccountDeletedException(Id);

    private AccountSummary Summary(ConnectedAccountState account) => AccountSummaries.Of(Id, account, Refresher.Margin(_app));

    AccountSummary AccountStore.IActivation.Summary() => Summary(Account);

    IGrainTimer AccountStore.IActivation.Schedule(Func<CancellationToken, Task> callback, TimeSpan dueTime)
        => this.RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { Interleave = false, KeepAlive = true });

    void AccountStore.IActivation.KeepAlive(bool keep) => DelayDeactivation(keep ? TimeSpan.FromDays(1) : TimeSpan.FromSeconds(-1));

    void AccountStore.IActivation.StartOver() => DeactivateOnIdle();

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} connected to {App} in workspace {WorkspaceId}")]
    private static partial void LogConnected(ILogger logger, string accountId, string app, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A caller from another workspace asked for account {AccountId}; refused")]
    private static partial void LogWrongWorkspace(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} was reconnected to a different {App} identity")]
    private static partial void LogIdentityChanged(ILogger logger, string accountId, string app);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: a refresh at {App} started at {StartedAt} never stored its answer; trying the stored refresh token again now")]
    private static partial void LogUnfinishedRefresh(ILogger logger, string accountId, string app, DateTimeOffset startedAt);
}

using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Keys;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Vault.Masking;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Ids;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.Connect;

/// <summary>
/// Connects key-based accounts: checks the values against the app's rules, proves them with the app's test request,
/// then hands them to a new account grain (or to the existing one on a reconnect); and starts OAuth consents. Stateless;
/// runs on every silo.
/// </summary>
[GrainType("accounts.connector")]
[StatelessWorker]
public sealed partial class AccountConnectorGrain(
    IGrainFactory grains,
    KeyVerifier verifier,
    TokenClient tokens,
    OAuthClients clients,
    IOptions<ConnectionsOptions> options,
    Index.AccountIndex index,
    ConnectionsTelemetry telemetry,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AccountConnectorGrain> logger) : Grain, IAccountConnectorGrain
{
    private const int MaxExtraScopes = 50;

    async Task<AccountSummary> IAccountConnectorGrain.ConnectWithKeysAsync(KeyConnectRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!WorkspaceIds.IsValid(request.WorkspaceId)) errors["workspaceId"] = [WorkspaceIds.Rule];
        else Tenancy.RequireOwn(request.WorkspaceId);
        if (!AccountRules.IsIdentifier(request.Actor)) errors["actor"] = [AccountRules.IdentifierRule];
        string? nickname = null;
        try
        {
            nickname = AccountRules.Nickname(request.Nickname);
        }
        catch (AccountValidationException e)
        {
            foreach (var (key, value) in e.Errors) errors[key] = value;
        }
        var app = await FindAppAsync(request.AppSlug, errors);
        var values = CheckFields(app, request.Fields, errors);
        if (errors.Count > 0) throw new AccountValidationException(errors);

        await RequireRoomForAccountAsync(request.WorkspaceId);
        var received = await TryCredentialsAsync(app!, values);
        var id = AccountIds.New(time);
        return await grains.GetGrain<IAccountLifecycleGrain>(id).CreateWithKeysAsync(
            new NewKeyAccount(request.WorkspaceId, app!.Slug, nickname!, values, Display(app, values), AccountRules.Actor(request.Actor), received));
    }

    async Task<AccountSummary> IAccountConnectorGrain.ReconnectWithKeysAsync(KeyReconnectRequest request)
    {
        if (!AccountIds.IsValid(request.AccountId)) throw AccountRules.Invalid("accountId", AccountIds.Rule);
        if (!WorkspaceIds.IsValid(request.WorkspaceId)) throw AccountRules.Invalid("workspaceId", WorkspaceIds.Rule);
        var current = await grains.GetGrain<IAccountLifecycleGrain>(request.AccountId).DescribeAsync();
        if (!string.Equals(current.WorkspaceId, request.WorkspaceId, StringComparison.Ordinal)) throw new AccountAccessDeniedException(request.AccountId);
        if (current.Health == AccountHealth.Deleted) throw new AccountDeletedException(request.AccountId);

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AccountRules.IsIdentifier(request.Actor)) errors["actor"] = [AccountRules.IdentifierRule];
        var app = await FindAppAsync(current.AppSlug, errors);
        var values = CheckFields(app, request.Fields, errors);
        if (errors.Count > 0) throw new AccountValidationException(errors);

        await RequireRoomForAccountAsync(request.WorkspaceId);
        var received = await TryCredentialsAsync(app!, values);
        return await grains.GetGrain<IAccountLifecycleGrain>(request.AccountId)
            .ReplaceKeysAsync(request.WorkspaceId, values, Display(app!, values), AccountRules.Actor(request.Actor), received);
    }

    /// <summary>
    /// Proves the fields work before anything is stored: keys by the app's test request; a client's own credentials or a
    /// service account's key by the token they fetch, which the new account keeps (with its non-secret fields as where it lives).
    /// </summary>
    private async Task<ReceivedTokens?> TryCredentialsAsync(AppDefinition app, IReadOnlyDictionary<string, string> values)
    {
        if (!app.AuthType.FetchesOwnTokens())
        {
            await verifier.VerifyAsync(app, values, CancellationToken.None);
            return null;
        }
        var where = values.Where(v => app.Fields.Any(f => f.Name == v.Key && !f.Secret)).ToDictionary(v => v.Key, v => v.Value, StringComparer.Ordinal);
        var reachable = ConnectionUrls.Resolve(app with { Api = null }, ConnectionUrls.ValuesOf(app, where), options.Value.AllowLoopbackHttp, out var unreachable)
            ?? throw new AccountValidationException(unreachable);
        var result = app.AuthType == AuthType.JwtBearer
            ? await tokens.JwtBearerAsync(reachable, values, accountId: null, CancellationToken.None)
            : await tokens.ClientCredentialsAsync(reachable, Refresh.AccountRefresher.OwnClient(values), values, accountId: null, CancellationToken.None);
        return result switch
        {
            Tokens.TokenResult.Success success => ReceivedTokens.From(success.Grant, reachable.OAuth!.DefaultScopes, identity: null) with { Connection = where },
            Tokens.TokenResult.Failed { Failure: var failure } => throw new KeyVerificationFailedException(app.Slug, failure.Reason,
                refused: failure.Kind is Tokens.TokenFailureKind.ClientMisconfigured or Tokens.TokenFailureKind.NeedsReconnect),
            _ => throw new InvalidOperationException("A token call ends in a grant or a failure."),
        };
    }

    async Task<OAuthStarted> IAccountConnectorGrain.StartOAuthAsync(OAuthStartRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!WorkspaceIds.IsValid(request.WorkspaceId)) errors["workspaceId"] = [WorkspaceIds.Rule];
        else Tenancy.RequireOwn(request.WorkspaceId);
        if (!AccountRules.IsIdentifier(request.Actor)) errors["actor"] = [AccountRules.IdentifierRule];
        var nickname = request.Nickname;
        try
        {
            nickname = AccountRules.Nickname(request.Nickname);
        }
        catch (AccountValidationException e)
        {
            foreach (var (key, value) in e.Errors) errors[key] = value;
        }
        var app = await FindAppAsync(request.AppSlug, errors);
        if (app is not null && !app.AuthType.Consents()) errors["appSlug"] = [$"'{app.Slug}' connects with keys, not OAuth"];
        var extra = request.ExtraScopes ?? [];
        if (extra.Count > MaxExtraScopes || extra.Any(s => string.IsNullOrWhiteSpace(s) || s.Length > 200 || s.Any(char.IsWhiteSpace) || s.Contains(',', StringComparison.Ordinal)
                || Contracts.Text.PrintableText.HasHiddenCharacters(s)))
            errors["extraScopes"] = [$"at most {MaxExtraScopes} scopes, each 1-200 characters without spaces, commas, control or format characters"];
        // Settings say where the account lives; the URLs they make must stay on the app's hosts before anyone is sent there.
        Dictionary<string, string>? settings = null;
        if (app is not null && app.AuthType.Consents())
        {
            settings = ConnectionSettings.Read(app, request.Settings, out var settingErrors);
            foreach (var (key, value) in settingErrors) errors[key] = value;
            if (settings is not null)
            {
                var reachable = ConnectionUrls.Resolve(app with { OAuth = app.OAuth! with { RefreshUrl = null, RevokeUrl = null }, Api = null }, settings,
                    options.Value.AllowLoopbackHttp, out var unreachable);
                if (reachable is not null) app = reachable;
                foreach (var (key, value) in unreachable) errors["settings"] = [$"{key} {value[0]}"];
            }
        }
        if (request.ReconnectAccountId is { } reconnect && app is not null && errors.Count == 0)
        {
            if (!AccountIds.IsValid(reconnect)) throw AccountRules.Invalid("reconnectAccountId", AccountIds.Rule);
            var current = await grains.GetGrain<IAccountLifecycleGrain>(reconnect).DescribeAsync();
            if (!string.Equals(current.WorkspaceId, request.WorkspaceId, StringComparison.Ordinal)) throw new AccountAccessDeniedException(reconnect);
            if (current.Health == AccountHealth.Deleted) throw new AccountDeletedException(reconnect);
            if (current.AppSlug != app.Slug) errors["reconnectAccountId"] = [$"is an account of '{current.AppSlug}', not '{app.Slug}'"];
        }
        if (errors.Count > 0) throw new AccountValidationException(errors);
        var client = await clients.FindAsync(app!.Slug) ?? throw new OAuthClientNotConfiguredException(app.Slug);
        var redirectUri = options.Value.RedirectUri
            ?? throw new InvalidOperationException($"{ConnectionsOptions.Section}:RedirectUri is not set.");

        if (request.ReconnectAccountId is null) await RequireRoomForAccountAsync(request.WorkspaceId);
        var expiresAt = time.GetUtcNow() + options.Value.FlowLifetime;
        await grains.GetGrain<IWorkspaceFlowsGrain>(request.WorkspaceId).ReserveAsync(expiresAt);

        var state = OAuthState.New();
        var oauth1 = app.AuthType == AuthType.OAuth1;
        var verifier = app.OAuth!.Pkce && !oauth1 ? AuthorizationRequest.NewVerifier() : null;
        var scopes = oauth1 ? [] : AuthorizationRequest.Scopes(app, extra);
        var requestToken = oauth1 ? await RequestTokenAsync(app, client, AuthorizationRequest.OAuth1Callback(redirectUri, state)) : null;
        await grains.GetGrain<IOAuthFlowSetupGrain>(OAuthState.FlowKey(state)).BeginAsync(new OAuthFlowBegin(
            request.WorkspaceId, app.Slug, nickname, scopes, AccountRules.Actor(request.Actor), request.ReconnectAccountId, verifier, redirectUri, expiresAt,
            requestToken is null ? AuthorizationRequest.BuildUrl(app, client.ClientId, redirectUri, scopes, state, verifier) : AuthorizationRequest.BuildOAuth1Url(app, requestToken.Token),
            // Only the service's own session grain names a session; a key's caller cannot tie its flow to one.
            Principal.Current is { IsSystem: false } ? null : request.ConnectSessionId,
            settings,
            requestToken));
        telemetry.Flow(app.Slug, "started");
        return new OAuthStarted(state, OAuthBrowserBinding.StartUrl(ConnectPage, state), expiresAt);
    }

    /// <summary>
    /// An OAuth 1.0a consent starts at the app: its request token names the consent, so there is nothing to send the
    /// person to until the app issued one. A refusal is the caller's to see now, not the person's after a redirect.
    /// </summary>
    /// <exception cref="OAuthFlowException">The app issued no request token.</exception>
    private async Task<OAuth1RequestToken> RequestTokenAsync(AppDefinition app, OAuthClientCredentials client, string callback)
    {
        var result = await tokens.RequestTokenAsync(app, client, callback, CancellationToken.None);
        if (result is TokenResult.Failed { Failure: var failure })
        {
            LogRequestTokenFailed(logger, app.Slug, failure.Reason);
            throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"{app.Name} did not issue a request token: {failure.Reason}.");
        }
        var grant = ((TokenResult.Success)result).Grant;
        return new OAuth1RequestToken(grant.AccessToken, grant.TokenSecret ?? "");
    }

    async Task<ConnectSessionCreated> IAccountConnectorGrain.CreateConnectSessionAsync(ConnectSessionRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!WorkspaceIds.IsValid(request.WorkspaceId)) errors["workspaceId"] = [WorkspaceIds.Rule];
        else Tenancy.RequireOwn(request.WorkspaceId);
        if (request.EndUserId is not null && !AccountRules.IsIdentifier(request.EndUserId)) errors["endUserId"] = [AccountRules.IdentifierRule];
        var lifetime = request.Lifetime ?? ConnectSessionRequest.DefaultLifetime;
        if (lifetime <= TimeSpan.Zero || lifetime > ConnectSessionRequest.MaxLifetime)
            errors["lifetime"] = [$"must be more than 0 and at most {ConnectSessionRequest.MaxLifetime.TotalHours} hours"];
        foreach (var (name, url) in new[] { ("successRedirectUrl", request.SuccessRedirectUrl), ("errorRedirectUrl", request.ErrorRedirectUrl) })
        {
            if (url is not null && RedirectRefusal(url) is { } refusal) errors[name] = [refusal];
        }
        var apps = await AllowedAppsAsync(request.Apps ?? [], errors);
        if (request.ReconnectAccountId is { } reconnect && errors.Count == 0)
        {
            if (!AccountIds.IsValid(reconnect)) throw AccountRules.Invalid("reconnectAccountId", AccountIds.Rule);
            var current = await grains.GetGrain<IAccountLifecycleGrain>(reconnect).DescribeAsync();
            if (!string.Equals(current.WorkspaceId, request.WorkspaceId, StringComparison.Ordinal)) throw new AccountNotFoundException(reconnect);
            if (current.Health == AccountHealth.Deleted) throw new AccountDeletedException(reconnect);
            if (apps.Count > 0 && !apps.Contains(current.AppSlug)) errors["apps"] = [$"must include '{current.AppSlug}', the app of the account to reconnect"];
            apps = [current.AppSlug];
        }
        if (errors.Count > 0) throw new AccountValidationException(errors);

        var id = TimeOrderedId.New(ConnectTokens.SessionPrefix, time);
        var (token, hash) = ConnectTokens.New(id);
        var session = await grains.GetGrain<IConnectSessionSetupGrain>(id).BeginAsync(
            new ConnectSessionBegin(request, apps, lifetime, hash, Principal.Actor("service")!));
        return new ConnectSessionCreated(id, token, $"{ConnectPage}?token={token}", session.ExpiresAt);
    }

    /// <exception cref="WorkspaceLimitReachedException">The workspace holds as many live accounts as allowed.</exception>
    private async Task RequireRoomForAccountAsync(string workspaceId)
    {
        var max = options.Value.MaxAccountsPerWorkspace;
        if (await index.CountLiveAsync(workspaceId, CancellationToken.None) >= max) throw new WorkspaceLimitReachedException(workspaceId, WorkspaceLimit.Accounts, max);
    }

    private string ConnectPage => options.Value.ConnectPageUrl ?? throw new InvalidOperationException($"{ConnectionsOptions.Section}:ConnectPageUrl is not set.");

    /// <summary>The apps a session offers, by canonical slug; empty for all. Aliases resolve; unknown or disabled apps are errors.</summary>
    private async Task<List<string>> AllowedAppsAsync(IReadOnlyList<string> requested, Dictionary<string, string[]> errors)
    {
        if (requested.Count > ConnectSessionRequest.MaxApps)
        {
            errors["apps"] = [$"at most {ConnectSessionRequest.MaxApps} apps"];
            return [];
        }
        var slugs = new List<string>();
        var unknown = new List<string>();
        foreach (var name in requested.Distinct(StringComparer.Ordinal))
        {
            var app = string.IsNullOrWhiteSpace(name) || name.Length > 64 ? null : await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(name);
            if (app is null || app.Disabled) unknown.Add(name.Length > 64 ? name[..64] + "…" : name);
            else if (!slugs.Contains(app.Slug)) slugs.Add(app.Slug);
        }
        if (unknown.Count > 0) errors["apps"] = [$"not apps of the catalog: {string.Join(", ", unknown.Take(10))}"];
        return slugs;
    }

    /// <summary>Why a session may not send the person to <paramref name="url"/>; null when it may.</summary>
    private string? RedirectRefusal(string url)
    {
        if (url.Length > 2048 || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || uri.UserInfo.Length > 0 || uri.Fragment.Length > 0)
            return "must be an absolute http(s) URL of at most 2048 characters, without user info or a fragment";
        var origin = uri.GetLeftPart(UriPartial.Authority);
        return options.Value.ConnectRedirectOrigins.Any(o => string.Equals(o.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase))
            ? null
            : $"must be on an origin listed in {ConnectionsOptions.Section}:ConnectRedirectOrigins ({origin} is not)";
    }

    private async Task<AppDefinition?> FindAppAsync(string? slug, Dictionary<string, string[]> errors)
    {
        var app = string.IsNullOrWhiteSpace(slug) || slug.Length > 64 ? null : await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(slug);
        if (app is null || app.Disabled) errors["appSlug"] = ["is not an app in the catalog"];
        return app is { Disabled: false } ? app : null;
    }

    private static IReadOnlyDictionary<string, string> CheckFields(AppDefinition? app, IReadOnlyDictionary<string, string>? submitted, Dictionary<string, string[]> errors)
    {
        if (app is null) return new Dictionary<string, string>();
        var (values, fieldErrors) = KeyFieldRules.Check(app, submitted);
        foreach (var (key, value) in fieldErrors) errors[key] = value;
        return values;
    }

    /// <summary>What a person may see of the values: non-secret fields in full, secret ones masked.</summary>
    private static Dictionary<string, string> Display(AppDefinition app, IReadOnlyDictionary<string, string> values)
        => app.Fields.Where(f => values.ContainsKey(f.Name))
            .ToDictionary(f => f.Name, f => f.Secret ? SecretMask.Mask(values[f.Name]) : values[f.Name], StringComparer.Ordinal);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{App} issued no OAuth 1.0a request token: {Reason}")]
    private static partial void LogRequestTokenFailed(ILogger logger, string app, string reason);
}

using System.Diagnostics;
using System.Security.Cryptography;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Storage;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>
/// Carries out <see cref="RefreshDecision"/> and <see cref="RefreshFailurePolicy"/> for one account's activation: the
/// refresh is stored as started before the token endpoint is called, and the app's answer is stored before anything
/// else (held by the <see cref="AccountStore"/> if storage refuses it). The account grain runs one call at a time, so
/// however many callers wait, one refresh happens and the rest find the new token.
/// </summary>
public sealed partial class AccountRefresher(
    string id,
    AccountStore store,
    Func<Task<AppDefinition>> app,
    Func<string, IAppTokenBudgetGrain> budget,
    TokenClient tokens,
    OAuthClients clients,
    ConnectionsTelemetry telemetry,
    TimeProvider time,
    TimeSpan defaultMargin,
    TimeSpan quietPeriod,
    ILogger logger)
{
    private ConnectedAccountState Account => store.Account;

    /// <summary>
    /// A refresh began whose answer never arrived or was never stored (found at activation, or after an attempt the app
    /// never answered): the app may have rotated the refresh token the account still holds.
    /// </summary>
    public bool Unfinished { get; set; }

    /// <summary>
    /// How long before expiry this account refreshes: the app's margin or the default. For an app with a token budget,
    /// up to a quarter more that is the account's own, so its accounts connected in the same minute do not all come due
    /// in the same second.
    /// </summary>
    public TimeSpan Margin(AppDefinition? definition)
    {
        var margin = definition?.OAuth?.RefreshMarginSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : defaultMargin;
        return definition?.OAuth?.TokenBudgetPerMinute is null ? margin : margin + margin * (Spread(id) / 4);
    }

    /// <summary>A fraction in [0, 1) fixed by the account's id, the same on every silo and after every restart.</summary>
    private static double Spread(string accountId)
    {
        var hash = 2166136261u;
        foreach (var c in accountId) hash = (hash ^ c) * 16777619u;
        return hash / (double)uint.MaxValue * 0.999999;
    }

    /// <summary>The endpoints new tokens are pinned to: the app's as the catalog names them now.</summary>
    public async Task<EndpointPins> PinsAsync() => EndpointPins.Of(await app());

    /// <summary>Tokens valid <paramref name="lookahead"/> from now (refreshed if due), or now if <paramref name="force"/>.</summary>
    public async Task<AccountSecrets> FreshAsync(bool force, TimeSpan lookahead = default)
    {
        for (var pass = 1; ; pass++)
        {
            var secrets = store.Secrets;
            var definition = await app();
            var now = time.GetUtcNow();
            // A client-credentials or JWT-bearer account renews with its own credentials, which stand where a refresh token would.
            var ownTokens = Account.AuthType.FetchesOwnTokens();
            var renewable = Renews(definition, secrets);
            var tokenState = new TokenState(Account.AccessTokenExpiresAt, secrets.RefreshToken is not null || ownTokens || renewable, store.RotationUnsaved,
                Account.NextRefreshAttemptAt, Account.HealthReason);
            switch (RefreshDecision.Decide(tokenState, new RefreshRequest(force, lookahead, Margin(definition)), now))
            {
                case RefreshDecision.UseCurrent:
                    return secrets;
                case RefreshDecision.NeedsReconnect reconnect:
                    await MarkAsync(AccountHealth.NeedsReconnect, reconnect.Reason);
                    throw new AccountNeedsReconnectException(id, reconnect.Reason);
                case RefreshDecision.BackingOff backingOff:
                    throw new TokenRefreshFailedException(id, backingOff.Reason);
                case RefreshDecision.AwaitingStorage awaiting:
                    throw new StorageUnavailableException($"Account '{id}': {awaiting.Reason}.");
            }
            if (EndpointPins.TokenRefusal(secrets, definition) is { } moved)
            {
                LogNeedsReconnect(logger, id, definition.Slug, moved);
                await MarkAsync(AccountHealth.NeedsReconnect, moved);
                throw new AccountNeedsReconnectException(id, moved);
            }
            var client = ownTokens ? OwnClient(secrets.Fields)
                : await clients.FindAsync(Account.AppSlug) ?? throw new OAuthClientNotConfiguredException(Account.AppSlug);
            var stillValid = Account.AccessTokenExpiresAt is not { } expiresAt || expiresAt > now;
            // Over the app's budget, a token that still works is good enough until a later sweep has a call to spare.
            if (definition.OAuth?.TokenBudgetPerMinute is { } perMinute && stillValid && !force
                && !await budget(definition.Slug).TryTakeAsync(perMinute, urgent: false))
                return secrets;
            switch (await store.MarkRefreshStartedAsync(now))
            {
                case AccountStore.StartMark.Conflict when pass == 1:
                    // Another activation wrote first (after a partition): decide again on what it stored.
                    continue;
                case AccountStore.StartMark.Conflict or AccountStore.StartMark.StorageUnavailable:
                    // A refresh whose answer could not be stored would risk the only valid refresh token: do not start one.
                    if (stillValid && !force) return secrets;
                    throw new StorageUnavailableException();
            }
            return await CallTokenEndpointAsync(definition, client, secrets, oldTokenWillDo: stillValid && !force);
        }
    }

    /// <summary>New tokens for the account (connect, reconnect or refresh): sealed with the endpoints they were issued by, nothing pending. The caller says what they mean for its health.</summary>
    /// <param name="fields">The fields an account fetches its own tokens with (a client, a key), kept beside its token.</param>
    public void Apply(ReceivedTokens received, string? keepRefreshToken, EndpointPins pins, IReadOnlyDictionary<string, string>? fields = null)
    {
        store.Seal(new AccountSecrets(fields ?? new Dictionary<string, string>(), received.AccessToken, received.RefreshToken ?? keepRefreshToken, received.TokenType,
            pins.Token, pins.Revoke, received.TokenSecret));
        Account.AccessTokenExpiresAt = received.ExpiresAt;
        Account.Scopes = received.Scopes.ToList();
        Account.UpstreamIdentity = received.Identity ?? Account.UpstreamIdentity;
        Account.RefreshStartedAt = null;
        Account.ConsecutiveRefreshFailures = 0;
        Account.NextRefreshAttemptAt = null;
    }

    /// <summary>An OAuth account with no refresh token whose app renews a working token with the token itself (Instagram).</summary>
    private bool Renews(AppDefinition definition, AccountSecrets secrets)
        => Account.AuthType == AuthType.OAuth2 && secrets.RefreshToken is null && secrets.AccessToken is not null && definition.OAuth?.Renewal is not null;

    /// <summary>The client a client-credentials account is: its own id and secret, from its sealed fields.</summary>
    public static OAuthClientCredentials OwnClient(IReadOnlyDictionary<string, string> fields)
        => new() { ClientId = fields.GetValueOrDefault("client_id", ""), ClientSecret = fields.GetValueOrDefault("client_secret") };

    /// <summary>The service's client id at the account's app (an OAuth 1.0a consumer key, which every signed call names); null when none is set up.</summary>
    public async Task<string?> ClientIdAsync() => (await clients.FindAsync(Account.AppSlug))?.ClientId;

    /// <summary>Best effort (RFC 7009): true when the app confirmed.</summary>
    public async Task<bool> RevokeAsync()
    {
        try
        {
            var secrets = store.Secrets;
            if (await clients.FindAsync(Account.AppSlug) is not { } client) return false;
            var (token, hint) = secrets.RefreshToken is { } refresh ? (refresh, "refresh_token") : (secrets.AccessToken, "access_token");
            var definition = await app();
            // A revoke endpoint the catalog moved gets no token: the secrets are erased all the same.
            return token is not null && EndpointPins.MayRevoke(secrets, definition) && await tokens.RevokeAsync(definition, client, token, hint, id, CancellationToken.None);
        }
        catch (CredentialsUnavailableException)
        {
            // Nothing to revoke with; the secrets are erased all the same.
            return false;
        }
    }

    /// <summary>After an activation found an unfinished refresh: try the stored refresh token once, now.</summary>
    public async Task RecoverAsync()
    {
        if (!Unfinished || Account is not { RefreshStartedAt: not null, DeletedAt: null } || Account.Health == AccountHealth.NeedsReconnect) return;
        try
        {
            await FreshAsync(force: true);
        }
        catch (Exception e) when (e is AccountException or StorageUnavailableException)
        {
            // Health (or the storage log) says what happened; the next read or sweep tries again.
        }
    }

    private async Task<AccountSecrets> CallTokenEndpointAsync(AppDefinition definition, OAuthClientCredentials client, AccountSecrets secrets, bool oldTokenWillDo)
    {
        var clock = Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            var result = Account.AuthType switch
            {
                AuthType.ClientCredentials => await tokens.ClientCredentialsAsync(definition, client, secrets.Fields, id, CancellationToken.None),
                AuthType.JwtBearer => await tokens.JwtBearerAsync(definition, secrets.Fields, id, CancellationToken.None),
                _ when Renews(definition, secrets) => await tokens.TradeAsync("token.renew", definition, client, definition.OAuth!.Renewal!, secrets.AccessToken!, id, CancellationToken.None),
                _ => await tokens.RefreshAsync(definition, client, secrets.RefreshToken!, id, CancellationToken.None),
            };
            if (result is TokenResult.Success success)
            {
                var presented = Account.SealedSecrets!;
                Apply(ReceivedTokens.From(success.Grant, Account.Scopes, Account.UpstreamIdentity), keepRefreshToken: secrets.RefreshToken, EndpointPins.Of(definition),
                    Account.AuthType.FetchesOwnTokens() ? secrets.Fields : null);
                Account.LastRefreshedAt = time.GetUtcNow();
                store.Observe(Health.HealthSignal.Worked, null, quietPeriod);
                Unfinished = false;
                await store.StoreRotationAsync(presented);
                telemetry.Refreshed(definition.Slug, "success", clock.Elapsed);
                return store.Secrets;
            }
            var failure = ((TokenResult.Failed)result).Failure;
            // A client that is the account itself: the app refusing it means its secret or key was revoked or rotated, which
            // only new credentials fix, not the operator.
            if (Account.AuthType.FetchesOwnTokens() && failure.Kind == TokenFailureKind.ClientMisconfigured && !failure.Unanswered)
                failure = failure with { Kind = TokenFailureKind.NeedsReconnect };
            Unfinished |= failure.Unanswered;
            var jitter = RandomNumberGenerator.GetInt32(1000) / 1000d;
            switch (RefreshFailurePolicy.Decide(failure, attempt, Account.ConsecutiveRefreshFailures, Unfinished ? Account.RefreshStartedAt : null, definition.Name, time.GetUtcNow(), jitter))
            {
                case RefreshFailureOutcome.RetryNow retry:
                    await Task.Delay(retry.Wait, time);
                    continue;
                case RefreshFailureOutcome.NeedsReconnect reconnect:
                    telemetry.Refreshed(definition.Slug, reconnect.RotationLost ? "lost_rotation" : "needs_reconnect", clock.Elapsed);
                    LogNeedsReconnect(logger, id, definition.Slug, reconnect.Reason);
                    Unfinished = false;
                    await MarkAsync(AccountHealth.NeedsReconnect, reconnect.Reason);
                    throw new AccountNeedsReconnectException(id, reconnect.Reason);
                case RefreshFailureOutcome.MarkFailing failing:
                    telemetry.Refreshed(definition.Slug, failure.Kind.ToString().ToLowerInvariant(), clock.Elapsed);
                    LogRefreshFailed(logger, id, definition.Slug, failing.Reason, failing.NextAttemptAt);
                    Account.ConsecutiveRefreshFailures = failing.ConsecutiveFailures;
                    Account.NextRefreshAttemptAt = failing.NextAttemptAt;
                    await MarkAsync(AccountHealth.Degraded, failing.Reason, failing.RefreshSettled);
                    if (oldTokenWillDo) return secrets;
                    throw new TokenRefreshFailedException(id, failing.Reason);
            }
        }
    }

    /// <param name="refreshSettled">The app answered, so no rotation can be outstanding: the started mark goes too.</param>
    private Task MarkAsync(AccountHealth health, string reason, bool refreshSettled = true)
    {
        store.Observe(health == AccountHealth.NeedsReconnect ? Health.HealthSignal.Refused : Health.HealthSignal.FailedTransiently, reason, quietPeriod);
        if (refreshSettled) Account.RefreshStartedAt = null;
        return store.SaveAsync(health == AccountHealth.NeedsReconnect ? "needs_reconnect" : "refresh_failed", "service", detail: reason);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} needs reconnect: {App} answered {Reason}")]
    private static partial void LogNeedsReconnect(ILogger logger, string accountId, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId} could not refresh its {App} token ({Reason}); next try after {NextAttempt}")]
    private static partial void LogRefreshFailed(ILogger logger, string accountId, string app, string reason, DateTimeOffset nextAttempt);
}

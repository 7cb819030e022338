using System.Text;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Contracts.Text;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// One authorization in progress, keyed by a hash of its state (<see cref="OAuthState.FlowKey"/>). Persisted so a pending flow survives a silo restart; marked
/// used before the code is exchanged, so a replayed callback can never run a second exchange.
/// </summary>
[GrainType("accounts.oauth-flow")]
public sealed partial class OAuthFlowGrain(
    [PersistentState(OAuthFlowGrain.StateName, StorageNames.Grains)] IPersistentState<OAuthFlowState> state,
    IGrainFactory grains,
    TokenClient tokens,
    EnvelopeCipher cipher,
    OAuthClients clients,
    ConnectionsTelemetry telemetry,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<OAuthFlowGrain> logger) : Grain, IOAuthFlowGrain, IOAuthBrowserFlowGrain, IOAuthFlowSetupGrain
{
    /// <summary>The name its rows carry in grain storage, which the purge of old flows goes by.</summary>
    public const string StateName = "flow";

    private OAuthFlowState Flow => state.State;

    /// <summary>The flow is stored as spent while its code is exchanged; until that ends it is not over for its session.</summary>
    private bool _exchanging;

    private CredentialBinding Binding => new(Flow.WorkspaceId!, "oauth-flow:" + this.GetPrimaryKeyString());

    async Task IOAuthFlowSetupGrain.BeginAsync(OAuthFlowBegin begin)
    {
        if (Flow.WorkspaceId is not null) throw new InvalidOperationException("This state value is already in use.");
        Flow.WorkspaceId = begin.WorkspaceId;
        Flow.AppSlug = begin.AppSlug;
        Flow.Nickname = begin.Nickname;
        Flow.Scopes = begin.Scopes.ToList();
        Flow.Actor = begin.Actor;
        Flow.ReconnectAccountId = begin.ReconnectAccountId;
        Flow.ConnectSessionId = begin.ConnectSessionId;
        Flow.RedirectUri = begin.RedirectUri;
        Flow.ExpiresAt = begin.ExpiresAt;
        Flow.AuthorizeUrl = begin.AuthorizeUrl;
        Flow.Settings = new Dictionary<string, string>(begin.Settings ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        Flow.Status = OAuthFlowStatus.Pending;
        Flow.RequestToken = begin.RequestToken?.Token;
        var secret = begin.RequestToken?.Secret ?? begin.CodeVerifier;
        Flow.SealedVerifier = secret is null ? null : cipher.Seal(Encoding.UTF8.GetBytes(secret), Binding);
        await state.WriteStateAsync();
    }

    Task<OAuthFlowView> IOAuthFlowGrain.GetViewAsync()
    {
        var status = Flow.WorkspaceId is null ? OAuthFlowStatus.Unknown
            : Flow.Status == OAuthFlowStatus.Pending && time.GetUtcNow() > Flow.ExpiresAt ? OAuthFlowStatus.Expired
            : Flow.Status;
        return Task.FromResult(new OAuthFlowView(status, Flow.AccountId, Flow.Message));
    }

    Task<OAuthFlowPreview> IOAuthBrowserFlowGrain.PreviewAsync()
    {
        RequireUnopened();
        return Task.FromResult(new OAuthFlowPreview(Flow.AppSlug, Flow.WorkspaceId!, Flow.Nickname, Flow.ReconnectAccountId, Flow.ExpiresAt));
    }

    async Task<string> IOAuthBrowserFlowGrain.OpenAsync()
    {
        RequireUnopened();
        Flow.OpenedInBrowser = true;
        await state.WriteStateAsync();
        return Flow.AuthorizeUrl;
    }

    Task<OAuthFlowOutcome> IOAuthFlowSetupGrain.OutcomeAsync() => Task.FromResult(new OAuthFlowOutcome(
        _exchanging || (Flow.Status == OAuthFlowStatus.Pending && time.GetUtcNow() <= Flow.ExpiresAt) ? OAuthFlowStatus.Pending
        : Flow.Status == OAuthFlowStatus.Pending ? OAuthFlowStatus.Expired
        : Flow.Status,
        Flow.AccountId));

    async Task<OAuthCompleted> IOAuthBrowserFlowGrain.CompleteAsync(OAuthCallback callback)
    {
        RequirePending();
        _exchanging = true;
        try
        {
            return await CompleteOnceAsync(callback);
        }
        finally
        {
            _exchanging = false;
        }
    }

    private async Task<OAuthCompleted> CompleteOnceAsync(OAuthCallback callback)
    {

        // From here on the state is spent, whatever happens next.
        Flow.Status = OAuthFlowStatus.Failed;
        var verifier = Flow.SealedVerifier is null ? null : Encoding.UTF8.GetString(cipher.Open(Flow.SealedVerifier, Binding));
        Flow.SealedVerifier = null;
        await state.WriteStateAsync();

        try
        {
            var completed = await ExchangeAsync(callback, verifier) with { ConnectSessionId = Flow.ConnectSessionId };
            Flow.Status = OAuthFlowStatus.Completed;
            Flow.AccountId = completed.AccountId;
            Flow.Message = completed.Warning;
            telemetry.Flow(Flow.AppSlug, "completed");
            await state.WriteStateAsync();
            await TellSessionAsync(completed.AccountId, error: null);
            return completed;
        }
        catch (AccountException e)
        {
            Flow.Message = e.Message;
            telemetry.Flow(Flow.AppSlug, "failed");
            await state.WriteStateAsync();
            await TellSessionAsync(accountId: null, e is OAuthFlowException flow ? flow.Code : "connect_failed");
            throw;
        }
    }

    /// <exception cref="OAuthFlowException">The flow cannot take a callback.</exception>
    private void RequirePending()
    {
        if (Flow.WorkspaceId is null) throw new OAuthFlowException(OAuthFlowError.UnknownState, "This sign-in link is not one we issued.");
        if (Flow.Status != OAuthFlowStatus.Pending) throw new OAuthFlowException(OAuthFlowError.AlreadyUsed, "This sign-in was already completed; start again to connect another account.");
        if (time.GetUtcNow() > Flow.ExpiresAt) throw new OAuthFlowException(OAuthFlowError.Expired, "This sign-in took too long and expired; start again.");
    }

    /// <exception cref="OAuthFlowException">The flow cannot be opened (again).</exception>
    private void RequireUnopened()
    {
        RequirePending();
        if (Flow.OpenedInBrowser)
            throw new OAuthFlowException(OAuthFlowError.OtherBrowser, "This sign-in was already opened in a browser; only that browser can finish it. Start again here if that was not you.");
    }

    /// <summary>
    /// Tells the connect session that started this flow how it ended. The account is connected either way; a session that
    /// cannot be told stays pending and its backend sees the account in the workspace.
    /// </summary>
    private async Task TellSessionAsync(string? accountId, string? error)
    {
        if (Flow.ConnectSessionId is not { } session) return;
        try
        {
            await grains.GetGrain<IConnectSessionUseGrain>(session).FlowEndedAsync(this.GetPrimaryKeyString(), accountId, error);
        }
        catch (StorageUnavailableException)
        {
            LogSessionNotTold(logger, session);
        }
    }

    private async Task<OAuthCompleted> ExchangeAsync(OAuthCallback callback, string? verifier)
    {
        var entry = await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(Flow.AppSlug)
            ?? throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"'{Flow.AppSlug}' is no longer in the catalog.");
        // Codes are exchanged where the settings say (a shop's own host); what the exchange captures comes later.
        var app = ConnectionUrls.Resolve(entry with { OAuth = entry.OAuth! with { RefreshUrl = null, RevokeUrl = null }, Api = null }, ConnectionUrls.ValuesOf(entry, Flow.Settings), options.Value.AllowLoopbackHttp, out _)
            ?? throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"{entry.Name}'s token endpoint cannot be formed from this connection's settings.");
        // The app's own words (error_description) are not repeated: whoever crafted the redirect chose them, and they
        // may echo what was sent. The code alone, when it is one, says what happened.
        if (callback.Error is { } error)
            throw new OAuthFlowException(OAuthFlowError.Denied, $"{app.Name} did not grant access ({(IsErrorCode(error) ? error : "unknown_error")}).");
        if (app.OAuth?.Issuer is { } issuer && !string.Equals(callback.Issuer, issuer, StringComparison.Ordinal))
            throw new OAuthFlowException(OAuthFlowError.IssuerMismatch, $"The answer did not come from {app.Name}'s authorization server (issuer mismatch).");
        var client = await clients.FindAsync(app.Slug) ?? throw new OAuthClientNotConfiguredException(app.Slug);
        TokenResult result;
        if (app.AuthType == AuthType.OAuth1)
        {
            // The answer must be for the request token this flow holds: one for another consent is not traded here.
            if (Flow.RequestToken is null || !string.Equals(callback.OAuthToken, Flow.RequestToken, StringComparison.Ordinal))
                throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"The answer does not name the request token {app.Name} issued for this sign-in.");
            if (string.IsNullOrEmpty(callback.OAuthVerifier)) throw new OAuthFlowException(OAuthFlowError.MissingCode, "The app's answer has no verifier.");
            result = await tokens.AccessTokenAsync(app, client, Flow.RequestToken, verifier ?? "", callback.OAuthVerifier, CancellationToken.None);
        }
        else
        {
            if (string.IsNullOrEmpty(callback.Code)) throw new OAuthFlowException(OAuthFlowError.MissingCode, "The app's answer has no authorization code.");
            result = await tokens.ExchangeCodeAsync(app, client, callback.Code, verifier, Flow.RedirectUri, CancellationToken.None);
        }
        if (result is TokenResult.Failed failed)
        {
            LogExchangeFailed(logger, app.Slug, failed.Failure.Reason);
            throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"{app.Name} refused to issue tokens: {failed.Failure.Reason}.");
        }
        var grant = ((TokenResult.Success)result).Grant;
        if (app.OAuth!.Exchange is { } exchange && app.AuthType == AuthType.OAuth2)
        {
            // A short-lived first token (Instagram's hour) is traded before anything is kept; failing that, nothing is.
            var traded = await tokens.TradeAsync("token.long_lived", app, client, exchange, grant.AccessToken, accountId: null, CancellationToken.None);
            if (traded is TokenResult.Failed { Failure: var failure })
            {
                LogExchangeFailed(logger, app.Slug, failure.Reason);
                throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"{app.Name} did not trade its first token for a lasting one: {failure.Reason}.");
            }
            grant = grant.TradedFor(((TokenResult.Success)traded).Grant);
        }
        var connection = ConnectionUrls.ValuesOf(entry, Flow.Settings);
        foreach (var (name, value) in grant.Captured ?? new Dictionary<string, string>()) connection[name] = value;
        // A captured value fills hosts too (Salesforce's instance): one outside the app's hosts is refused before anything is kept.
        if (ConnectionUrls.Resolve(entry, connection, options.Value.AllowLoopbackHttp, out var unreachable) is null)
        {
            LogExchangeFailed(logger, app.Slug, $"the answer leaves {string.Join(", ", unreachable.Keys)} unusable");
            throw new OAuthFlowException(OAuthFlowError.ExchangeFailed, $"{app.Name} answered with an address the service will not call ({string.Join("; ", unreachable.Select(e => $"{e.Key} {e.Value[0]}"))}).");
        }
        var tokensReceived = ReceivedTokens.From(grant, Flow.Scopes, identity: null) with { Connection = connection };

        if (Flow.ReconnectAccountId is { } accountId)
        {
            var (_, warning) = await grains.GetGrain<IAccountLifecycleGrain>(accountId).ReplaceTokensAsync(Flow.WorkspaceId!, tokensReceived, Flow.Actor);
            return new OAuthCompleted(accountId, app.Slug, Reconnected: true, warning);
        }
        var id = AccountIds.New(time);
        await grains.GetGrain<IAccountLifecycleGrain>(id).CreateWithTokensAsync(new NewOAuthAccount(Flow.WorkspaceId!, app.Slug, Flow.Nickname, tokensReceived, Flow.Actor));
        return new OAuthCompleted(id, app.Slug, Reconnected: false, Warning: null);
    }

    /// <summary>An OAuth error code as RFC 6749 writes them (<c>access_denied</c>), not free text.</summary>
    private static bool IsErrorCode(string value) => value.Length is > 0 and <= 64 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.');

    [LoggerMessage(Level = LogLevel.Warning, Message = "OAuth code exchange for {App} failed: {Reason}")]
    private static partial void LogExchangeFailed(ILogger logger, string app, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connect session {SessionId} could not be told how its OAuth flow ended (storage unavailable); it stays pending")]
    private static partial void LogSessionNotTold(ILogger logger, string sessionId);
}

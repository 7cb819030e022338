using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Accounts.Orleans.Connections.OAuth;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// Talks to an app's token and revocation endpoints (RFC 6749 §4.1.3 and §6, RFC 7009). Endpoints come only from the
/// catalog and must be https; redirects are not followed; answers are capped at 64 KiB; every call has a timeout well
/// under the grain call timeout. It never throws for what the app answers: the result says what happened.
/// </summary>
public sealed partial class TokenClient(IHttpClientFactory http, IOptions<ConnectionsOptions> options, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<TokenClient> logger)
{
    public Task<TokenResult> ExchangeCodeAsync(AppDefinition app, OAuthClientCredentials client, string code, string? codeVerifier, string redirectUri, CancellationToken cancellationToken)
    {
        var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["redirect_uri"] = redirectUri };
        if (codeVerifier is not null) form["code_verifier"] = codeVerifier;
        return CallAsync("token.exchange", app, client, form, accountId: null, sentRefreshToken: null, cancellationToken);
    }

    public Task<TokenResult> RefreshAsync(AppDefinition app, OAuthClientCredentials client, string refreshToken, string accountId, CancellationToken cancellationToken)
        => CallAsync("token.refresh", app, client, new Dictionary<string, string> { ["grant_type"] = "refresh_token", ["refresh_token"] = refreshToken },
            accountId, refreshToken, cancellationToken);

    /// <summary>
    /// A token for a client's own credentials (RFC 6749 §4.4): the app's grant, its default scopes, and its token
    /// parameters with <c>{{field}}</c> filled from the account's fields (Zoom's <c>account_id</c>).
    /// </summary>
    public Task<TokenResult> ClientCredentialsAsync(AppDefinition app, OAuthClientCredentials client, IReadOnlyDictionary<string, string> fields, string? accountId,
        CancellationToken cancellationToken)
    {
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} has no token endpoint.");
        var form = new Dictionary<string, string> { ["grant_type"] = oauth.GrantType ?? "client_credentials" };
        if (oauth.DefaultScopes.Count > 0) form["scope"] = string.Join(oauth.ScopeSeparator, oauth.DefaultScopes);
        foreach (var (name, value) in oauth.TokenParameters) form[name] = TestRequestTemplate.Fill(value, fields);
        return CallAsync("token.client_credentials", app, client, form, accountId, sentRefreshToken: null, cancellationToken);
    }

    /// <summary>
    /// A token for a JWT-bearer account (RFC 7523 §2.1): a fresh assertion signed with its key, and no client
    /// authentication, which the grant does not need. Scopes go in the request unless the app reads them from the assertion.
    /// </summary>
    public Task<TokenResult> JwtBearerAsync(AppDefinition app, IReadOnlyDictionary<string, string> fields, string? accountId, CancellationToken cancellationToken)
    {
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} has no token endpoint.");
        string assertion;
        try
        {
            assertion = JwtAssertion.Create(app, fields, time.GetUtcNow());
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or NotSupportedException or ArgumentException)
        {
            // Only new fields fix a key the service cannot sign with: damaged, its field renamed by the catalog, or of
            // another kind than the app's algorithm (an EC key where RS256 is asked), which the signer refuses.
            return Task.FromResult<TokenResult>(new TokenResult.Failed(new TokenFailure(TokenFailureKind.NeedsReconnect, null,
                $"the account's private key cannot sign a {app.OAuth?.Assertion?.Algorithm} assertion", null)));
        }
        var form = new Dictionary<string, string> { ["grant_type"] = oauth.GrantType ?? JwtAssertionSettings.DefaultGrantType, ["assertion"] = assertion };
        if (oauth.DefaultScopes.Count > 0 && oauth.Assertion?.ScopesInAssertion != true) form["scope"] = string.Join(oauth.ScopeSeparator, oauth.DefaultScopes);
        foreach (var (name, value) in oauth.TokenParameters) form[name] = TestRequestTemplate.Fill(value, fields);
        return CallAsync("token.jwt_bearer", app, client: null, form, accountId, sentRefreshToken: null, cancellationToken);
    }

    /// <summary>
    /// Trades an access token at an app's own endpoint (<see cref="OAuthSettings.Exchange"/>, <see cref="OAuthSettings.Renewal"/>):
    /// the token and the service's client fill the call's parameters, in the query of a GET or the form of a POST. The
    /// answer is read as a token response (its error path included); no refresh token is sent, so none is expected.
    /// </summary>
    public async Task<TokenResult> TradeAsync(string operation, AppDefinition app, OAuthClientCredentials client, TokenCallSettings call, string accessToken,
        string? accountId, CancellationToken cancellationToken)
    {
        using var activity = Start(operation, app, accountId);
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} is not an OAuth app.");
        if (!SafeUrl.IsAllowed(call.Url, options.Value.AllowLoopbackHttp))
            return Failed(activity, new TokenFailure(TokenFailureKind.ClientMisconfigured, null, "the app's token URL is not an https address", null));
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["access_token"] = accessToken, ["client_id"] = client.ClientId, ["client_secret"] = client.ClientSecret ?? "",
        };
        var parameters = call.Parameters.ToDictionary(p => p.Key, p => TestRequestTemplate.Fill(p.Value, values), StringComparer.Ordinal);
        // The code exchange's quirks describe its own answer (a nested token, a default lifetime); this answer is plain.
        var quirks = new TokenResponseQuirks { ErrorPath = oauth.TokenResponse?.ErrorPath };
        return await AnswerAsync(activity, async () =>
        {
            using var request = call.Method == "POST"
                ? new HttpRequestMessage(HttpMethod.Post, call.Url) { Content = new FormUrlEncodedContent(parameters) }
                : new HttpRequestMessage(HttpMethod.Get, WithQuery(call.Url, parameters));
            // The query carries the token and the client secret: traces show this call without it.
            request.Options.Set(Contracts.Telemetry.TelemetryNames.Credentialed, true);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.OutboundTimeout);
            return await http.CreateClient(Keys.KeyVerifier.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }, answer => TokenResponseParser.Parse(answer, quirks, oauth.ScopeSeparator, time.GetUtcNow(), sentRefreshToken: null), cancellationToken);
    }

    /// <summary>
    /// OAuth 1.0a temporary credentials (RFC 5849 §2.1): a request token for one consent, whose answer must come back to
    /// <paramref name="callback"/>. Signed with the consumer secret alone.
    /// </summary>
    public Task<TokenResult> RequestTokenAsync(AppDefinition app, OAuthClientCredentials client, string callback, CancellationToken cancellationToken)
        => OAuth1CallAsync("token.oauth1_request", app, app.OAuth?.RequestTokenUrl ?? "", client, null, null, [new("oauth_callback", callback)], confirmCallback: true,
            cancellationToken);

    /// <summary>The access token for a consented request token (RFC 5849 §2.3), signed with the request token's secret.</summary>
    public Task<TokenResult> AccessTokenAsync(AppDefinition app, OAuthClientCredentials client, string requestToken, string requestSecret, string verifier,
        CancellationToken cancellationToken)
        => OAuth1CallAsync("token.oauth1_access", app, app.OAuth?.TokenUrl ?? "", client, requestToken, requestSecret, [new("oauth_verifier", verifier)], confirmCallback: false,
            cancellationToken);

    private async Task<TokenResult> OAuth1CallAsync(string operation, AppDefinition app, string url, OAuthClientCredentials client, string? token, string? tokenSecret,
        KeyValuePair<string, string>[] protocol, bool confirmCallback, CancellationToken cancellationToken)
    {
        var result = await OAuth1CallOnceAsync(operation, app, url, new OAuth1Signature.Signer(client.ClientId, client.ClientSecret ?? "", token, tokenSecret), protocol,
            confirmCallback, cancellationToken);
        // A consumer secret being rotated: an app that refuses the signature may already expect the next one. It says
        // so with 401 like any refusal (OAuth 1.0a has no invalid_client), so any refusal it answered is tried once more.
        if (result is TokenResult.Failed { Failure: { Kind: TokenFailureKind.ClientMisconfigured or TokenFailureKind.NeedsReconnect, Unanswered: false } }
            && client.NextClientSecret is { Length: > 0 } next && next != client.ClientSecret)
        {
            result = await OAuth1CallOnceAsync(operation, app, url, new OAuth1Signature.Signer(client.ClientId, next, token, tokenSecret), protocol, confirmCallback,
                cancellationToken);
            if (result is TokenResult.Success) LogNextSecretUsed(logger, app.Slug);
        }
        return result;
    }

    private async Task<TokenResult> OAuth1CallOnceAsync(string operation, AppDefinition app, string url, OAuth1Signature.Signer signer,
        KeyValuePair<string, string>[] protocol, bool confirmCallback, CancellationToken cancellationToken)
    {
        using var activity = Start(operation, app, accountId: null);
        if (!SafeUrl.IsAllowed(url, options.Value.AllowLoopbackHttp))
            return Failed(activity, new TokenFailure(TokenFailureKind.ClientMisconfigured, null, "the app's token URL is not an https address", null));
        return await AnswerAsync(activity, async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent([]) };
            request.Options.Set(Contracts.Telemetry.TelemetryNames.Credentialed, true);
            request.Headers.Authorization = new AuthenticationHeaderValue(OAuth1Signature.Scheme,
                OAuth1Signature.Authorize("POST", new Uri(url), [], signer, protocol, OAuth1Signature.NewNonce(), time.GetUtcNow()));
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.OutboundTimeout);
            return await http.CreateClient(Keys.KeyVerifier.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }, answer => OAuth1Answer.Parse(answer, app.OAuth?.TokenResponse, confirmCallback), cancellationToken);
    }

    private static string WithQuery(string url, Dictionary<string, string> parameters)
        => url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?")
            + string.Join('&', parameters.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));

    /// <summary>Best effort: true when the app confirmed (RFC 7009 answers 200 even for unknown tokens).</summary>
    public async Task<bool> RevokeAsync(AppDefinition app, OAuthClientCredentials client, string token, string tokenTypeHint, string accountId, CancellationToken cancellationToken)
    {
        if (app.OAuth?.RevokeUrl is not { } url || !SafeUrl.IsAllowed(url, options.Value.AllowLoopbackHttp)) return false;
        using var activity = Start("token.revoke", app, accountId);
        try
        {
            using var response = await SendAsync(url, app, client, new Dictionary<string, string> { ["token"] = token, ["token_type_hint"] = tokenTypeHint }, tokenCall: false, cancellationToken);
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.GetType().Name);
            return false;
        }
    }

    /// <param name="client">Who the service is at the app; null for a grant that needs no client authentication.</param>
    private async Task<TokenResult> CallAsync(string operation, AppDefinition app, OAuthClientCredentials? client, Dictionary<string, string> form,
        string? accountId, string? sentRefreshToken, CancellationToken cancellationToken)
    {
        var result = await CallOnceAsync(operation, app, client, new Dictionary<string, string>(form), accountId, sentRefreshToken, cancellationToken);
        // The app refused the client itself: while a rotation overlaps, the other secret is the one it expects.
        if (result is TokenResult.Failed { Failure: { Kind: TokenFailureKind.ClientMisconfigured, ErrorCode: "invalid_client" or null, Unanswered: false } }
            && client?.NextClientSecret is { Length: > 0 } next && next != client.ClientSecret)
        {
            var other = new OAuthClientCredentials { ClientId = client.ClientId, ClientSecret = next };
            result = await CallOnceAsync(operation, app, other, new Dictionary<string, string>(form), accountId, sentRefreshToken, cancellationToken);
            if (result is TokenResult.Success) LogNextSecretUsed(logger, app.Slug);
        }
        return result;
    }

    private async Task<TokenResult> CallOnceAsync(string operation, AppDefinition app, OAuthClientCredentials? client, Dictionary<string, string> form,
        string? accountId, string? sentRefreshToken, CancellationToken cancellationToken)
    {
        using var activity = Start(operation, app, accountId);
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} is not an OAuth app.");
        // A refresh goes where the app takes refresh tokens, which for a few apps is not where codes are exchanged.
        var url = sentRefreshToken is not null ? oauth.RefreshUrl ?? oauth.TokenUrl : oauth.TokenUrl;
        if (!SafeUrl.IsAllowed(url, options.Value.AllowLoopbackHttp))
            return Failed(activity, new TokenFailure(TokenFailureKind.ClientMisconfigured, null, "the app's token URL is not an https address", null));
        return await AnswerAsync(activity, () => SendAsync(url, app, client, form, tokenCall: true, cancellationToken),
            answer => TokenResponseParser.Parse(answer, oauth.TokenResponse, oauth.ScopeSeparator, time.GetUtcNow(), sentRefreshToken), cancellationToken);
    }

    /// <summary>A token call's answer as a result: what the app said, or why it said nothing (blocked, unreachable, too slow).</summary>
    private async Task<TokenResult> AnswerAsync(Activity? activity, Func<Task<HttpResponseMessage>> send, Func<TokenHttpResponse, TokenResult> read,
        CancellationToken cancellationToken)
    {
        TokenHttpResponse answer;
        try
        {
            using var response = await send();
            answer = await ReadAsync(response, cancellationToken);
            activity?.SetTag("http.response.status_code", answer.StatusCode);
        }
        catch (HttpRequestException e) when (e.InnerException is Outbound.BlockedAddressException blocked)
        {
            return Failed(activity, new TokenFailure(TokenFailureKind.ClientMisconfigured, null, blocked.Message, null));
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            var reason = e is OperationCanceledException ? "the app did not answer in time" : "the app could not be reached";
            return Failed(activity, new TokenFailure(TokenFailureKind.Transient, null, reason, null, Unanswered: true));
        }
        var result = read(answer);
        if (result is TokenResult.Failed failed) return Failed(activity, failed.Failure);
        activity?.SetTag("accounts.outcome", "success");
        return result;
    }

    private async Task<HttpResponseMessage> SendAsync(string url, AppDefinition app, OAuthClientCredentials? client, Dictionary<string, string> form, bool tokenCall,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Options.Set(Contracts.Telemetry.TelemetryNames.Credentialed, true);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        // No client means the grant authenticates itself (a signed assertion).
        if (client is not null && app.OAuth!.TokenRequestAuth == TokenRequestAuth.ClientSecretBasic)
        {
            // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
            var pair = $"{Uri.EscapeDataString(client.ClientId)}:{Uri.EscapeDataString(client.ClientSecret ?? "")}";
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(pair)));
        }
        else if (client is not null)
        {
            form["client_id"] = client.ClientId;
            if (!string.IsNullOrEmpty(client.ClientSecret)) form["client_secret"] = client.ClientSecret;
        }
        // The catalog keeps an app's own parameters off every name the service sets (grant_type, code, client_secret, …).
        // Revocation is RFC 7009's form request, whatever the token endpoint takes.
        if (tokenCall)
            foreach (var (name, value) in app.OAuth!.TokenParameters) form.TryAdd(name, value);
        request.Content = tokenCall && app.OAuth!.TokenRequestFormat == TokenRequestFormat.Json
            ? System.Net.Http.Json.JsonContent.Create(form)
            : new FormUrlEncodedContent(form);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.OutboundTimeout);
        var response = await http.CreateClient(Keys.KeyVerifier.HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return response;
    }

    private async Task<TokenHttpResponse> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.OutboundTimeout);
        await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
        var buffer = new byte[TokenHttpResponse.MaxBodyBytes + 1];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, timeout.Token);
        var retryAfter = response.Headers.RetryAfter is { } header
            ? header.Delta ?? (header.Date is { } date ? date - time.GetUtcNow() : null)
            : null;
        return new TokenHttpResponse((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(),
            buffer.AsMemory(0, Math.Min(read, TokenHttpResponse.MaxBodyBytes)), retryAfter, read > TokenHttpResponse.MaxBodyBytes);
    }

    private static Activity? Start(string operation, AppDefinition app, string? accountId)
    {
        var activity = ConnectionsTelemetry.Source.StartActivity(operation, ActivityKind.Client);
        activity?.SetTag("accounts.app", app.Slug);
        if (accountId is not null) activity?.SetTag("accounts.account_id", accountId);
        return activity;
    }

    private static TokenResult.Failed Failed(Activity? activity, TokenFailure failure)
    {
        activity?.SetTag("accounts.outcome", failure.Kind.ToString());
        // Fixed text: the reason can carry the app's error code, and a span is no place for the app's words.
        activity?.SetStatus(ActivityStatusCode.Error, $"token call failed ({failure.Kind})");
        return new TokenResult.Failed(failure);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The token endpoint of {App} refused the OAuth client's current secret and took the next one: make the next secret the current one")]
    private static partial void LogNextSecretUsed(ILogger logger, string app);
}

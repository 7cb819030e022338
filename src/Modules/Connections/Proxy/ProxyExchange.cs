using System.Globalization;
using System.Net.Http.Headers;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Outbound;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Ids;

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// One proxied call, up to the app's status and headers: the caller checked, fresh credentials from the account's grain,
/// the request sent the app's way, and on a 401 one refresh (single flight, in the account's grain) and one more try.
/// The body is left on the wire for <see cref="ProxyAnswer"/>, so a buffered grain call and a streamed one share
/// every rule. The app's catalog entry says how the credential travels (<see cref="ApiSettings"/>).
/// </summary>
public sealed partial class ProxyExchange(
    IGrainFactory grains,
    IHttpClientFactory http,
    OAuth.OAuthClients clients,
    AuditTrail audit,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<ProxyExchange> logger)
{
    /// <summary>
    /// Sends the call and answers once the app's headers are in. The whole exchange, body included, has
    /// <c>Accounts:Connections:ProxyTimeout</c>; <paramref name="cancellationToken"/> is the caller going away.
    /// </summary>
    public async Task<ProxyAnswer> OpenAsync(string accountId, ProxyRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Another workspace's account, or an id nobody has, answers the same: nothing is learned by guessing.
        if (!AccountIds.IsValid(accountId) || !WorkspaceIds.IsValid(request.WorkspaceId) || !Tenancy.Sees(request.WorkspaceId))
            throw new AccountNotFoundException(accountId ?? "");
        // Bad input is refused before the account is asked for credentials (which may refresh a due token).
        if (ProxyCall.Check(request, api: null) is { Count: > 0 } malformed) throw new AccountValidationException(malformed);
        var account = grains.GetGrain<IAccountLifecycleGrain>(accountId);
        var read = new CredentialRequest(request.WorkspaceId, request.WorkflowId, request.StepId);
        var credentials = await account.PrepareProxyAsync(read, afterRefusal: false);
        var app = await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(credentials.AppSlug);
        if (app?.Api is not { } api) throw AccountRules.Invalid("appSlug", $"'{credentials.AppSlug}' has no API the service can call on an account's behalf");
        if (ProxyCall.Check(request, api) is { Count: > 0 } errors) throw new AccountValidationException(errors);
        // An account connected with keys before its app turned to OAuth has no token for the credential the API now takes.
        if (!credentials.Values.ContainsKey("access_token")
            && api.HeadersFor(app.AuthType).Values.Concat(api.Query.Values).Any(t => t.Contains("{{access_token}}", StringComparison.Ordinal)))
            throw new AccountNeedsReconnectException(accountId, $"{app.Name} now connects with OAuth: reconnect the account to call its API through the service");
        // Nothing goes out that the trail could not record.
        audit.RequireAvailable();

        var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(options.Value.ProxyTimeout);
        var failure = new Failures(audit, time, logger, app.Slug, accountId, request, cancellationToken);
        try
        {
            var response = await SendAsync(app, api, request, credentials, failure, deadline.Token);
            if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && credentials.CanRefresh)
            {
                response.Dispose();
                credentials = await account.PrepareProxyAsync(read, afterRefusal: true);
                response = await SendAsync(app, api, request, credentials, failure, deadline.Token);
            }
            else if (response.StatusCode == System.Net.HttpStatusCode.Unauthorized && app.AuthType == AuthType.OAuth1
                     && await clients.FindAsync(app.Slug) is { NextClientSecret.Length: > 0 })
            {
                // An OAuth 1.0a token is never refreshed; a consumer secret being rotated is what may have been refused.
                response.Dispose();
                response = await SendAsync(app, api, request, credentials, failure, deadline.Token, nextConsumerSecret: true);
            }
            var limit = options.Value.ProxyMaxResponseBytes;
            if (response.Content.Headers.ContentLength > limit)
            {
                response.Dispose();
                throw failure.Record(TooLarge(app.Slug, limit));
            }
            return new ProxyAnswer(Head(response, credentials), response, limit, deadline, failure);
        }
        catch
        {
            deadline.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(AppDefinition app, ApiSettings api, ProxyRequest request, ProxyCredentials credentials,
        Failures failure, CancellationToken cancellationToken, bool nextConsumerSecret = false)
    {
        var values = credentials.Values;
        var query = request.Query.Concat(api.Query.Select(p => new KeyValuePair<string, string>(p.Key, TestRequestTemplate.Fill(p.Value, values))));
        var baseUrl = BaseUrl(app, api, credentials);
        if (baseUrl is null || !SafeUrl.IsAllowed(baseUrl, options.Value.AllowLoopbackHttp) || ProxyCall.Target(baseUrl, request.Path, query) is not { } target)
            throw AccountRules.Invalid("path", "does not form an address under the app's API base URL");

        using var message = new HttpRequestMessage(new HttpMethod(request.Method), target);
        message.Options.Set(Contracts.Telemetry.TelemetryNames.Credentialed, true);
        foreach (var (name, value) in request.Headers) message.Headers.TryAddWithoutValidation(name, value);
        foreach (var (name, template) in api.HeadersFor(app.AuthType))
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, TestRequestTemplate.Fill(template, values));
        }
        if (request.Body is { } body)
        {
            message.Content = new ByteArrayContent(body);
            if (request.ContentType is { } type && MediaTypeHeaderValue.TryParse(type, out var parsed)) message.Content.Headers.ContentType = parsed;
        }
        if (app.AuthType == AuthType.OAuth1) message.Headers.Authorization = await SignAsync(app, message, request, values, nextConsumerSecret);
        try
        {
            return await http.CreateClient(Keys.KeyVerifier.HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            throw failure.Translate(e);
        }
    }

    /// <summary>
    /// An OAuth 1.0a call's signature (RFC 5849 §3), over its method, address, query and, when the body is a form, its
    /// fields: the app checks all of them, so what the caller sent is what the app sees, or the app refuses it.
    /// </summary>
    private async Task<AuthenticationHeaderValue> SignAsync(AppDefinition app, HttpRequestMessage message, ProxyRequest request, IReadOnlyDictionary<string, string> values,
        bool nextConsumerSecret)
    {
        var client = await clients.FindAsync(app.Slug) ?? throw new OAuthClientNotConfiguredException(app.Slug);
        var consumerSecret = (nextConsumerSecret ? client.NextClientSecret : client.ClientSecret) ?? "";
        var form = request.Body is { } body
                   && string.Equals(message.Content?.Headers.ContentType?.MediaType, "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            ? Tokens.OAuth1Signature.FormOf(System.Text.Encoding.UTF8.GetString(body)).ToList()
            : [];
        var signer = new Tokens.OAuth1Signature.Signer(client.ClientId, consumerSecret, values.GetValueOrDefault("access_token"),
            values.GetValueOrDefault(ProxyCredentials.TokenSecret));
        return new AuthenticationHeaderValue(Tokens.OAuth1Signature.Scheme,
            Tokens.OAuth1Signature.Authorize(message.Method.Method, message.RequestUri!, form, signer, [], Tokens.OAuth1Signature.NewNonce(), time.GetUtcNow()));
    }

    /// <summary>
    /// The API's address for this account, held to the app's hosts. A key app whose whole host the person types (a
    /// self-hosted server) names no hosts: its address is held only to the outbound address policy.
    /// </summary>
    private string? BaseUrl(AppDefinition app, ApiSettings api, ProxyCredentials credentials)
    {
        var values = ConnectionUrls.ValuesOf(app, credentials.Connection ?? new Dictionary<string, string>());
        foreach (var (name, value) in credentials.Values) values[name] = value;
        if (app.AuthType.TakesFields() && ConnectionUrls.HostVaries(api.BaseUrl) && app.Hosts.Count == 0 && ConnectionUrls.ImpliedHost(api.BaseUrl) is null)
            return TestRequestTemplate.Fill(api.BaseUrl, values, Uri.EscapeDataString);
        return ConnectionUrls.Fill(api.BaseUrl, values, app.Hosts, options.Value.AllowLoopbackHttp, out _);
    }

    private static ProxyHead Head(HttpResponseMessage response, ProxyCredentials credentials)
    {
        var secrets = credentials.Values.Values.Where(v => v.Length >= 6).ToList();
        return new ProxyHead
        {
            Status = (int)response.StatusCode,
            Headers = response.Headers.Concat(response.Content.Headers)
                .Where(h => ProxyCall.IsReturned(h.Key))
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
                // An app that echoes the credential in a header (some put the key in a Location) does not hand it over.
                .Where(h => !secrets.Any(s => h.Value.Contains(s, StringComparison.Ordinal)))
                .ToList(),
            Length = response.Content.Headers.ContentLength,
        };
    }

    internal static ProxyFailedException TooLarge(string appSlug, long limit)
        => new(appSlug, ProxyFailure.TooLarge, $"the answer is larger than {limit} bytes, the most the proxy passes on");

    /// <summary>
    /// How a call that failed is told and recorded, before or after its head: every call leaves one audit entry,
    /// whether it reached the app or not (it may have, before it failed).
    /// </summary>
    internal sealed class Failures(AuditTrail audit, TimeProvider time, ILogger logger, string appSlug, string accountId, ProxyRequest request, CancellationToken caller)
    {
        private int _recorded;

        public string AppSlug => appSlug;

        public ProxyFailedException Record(ProxyFailedException failure)
        {
            Audit(failure.Failure.ToString().ToLowerInvariant());
            return failure;
        }

        public void Answered(int status) => Audit(status.ToString(CultureInfo.InvariantCulture));

        /// <summary>A transport failure as the caller may see it; the caller's own cancellation stays a cancellation.</summary>
        public Exception Translate(Exception e)
        {
            if (e is OperationCanceledException && caller.IsCancellationRequested)
            {
                Audit("abandoned");
                return e;
            }
            LogUnanswered(logger, appSlug, e.GetType().Name);
            return Record(new ProxyFailedException(appSlug,
                e is OperationCanceledException ? ProxyFailure.Timeout : ProxyFailure.Unreachable,
                e.InnerException is BlockedAddressException blocked ? blocked.Message
                : e is OperationCanceledException ? "the app did not answer in time" : "the app could not be reached"));
        }

        private void Audit(string outcome)
        {
            if (Interlocked.Exchange(ref _recorded, 1) != 0) return;
            audit.Record(new AuditEvent(time.GetUtcNow(), accountId, request.WorkspaceId, AuditTrail.Proxied,
                Principal.Actor($"workflow:{request.WorkflowId}")!, request.WorkflowId, request.StepId,
                $"{request.Method} {ProxyCall.Template(request.Path)} → {outcome}"));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A proxied call to {App} got no answer ({Failure})")]
    private static partial void LogUnanswered(ILogger logger, string app, string failure);
}

using System.Net.Http.Headers;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Outbound;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Ids;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.Proxy;

/// <summary>
/// Runs proxied calls on whichever silo takes them, beside the account's grain rather than inside it: the grain checks
/// the caller and hands over fresh credentials in one short turn, and the app call, however slow, holds up nobody else.
/// The app's catalog entry says how the credential travels (<see cref="ApiSettings"/>).
/// On a 401 the account refreshes once (single flight, in its grain) and the call is tried once more; 429 and 5xx go
/// back to the caller as the app sent them, <c>Retry-After</c> included.
/// </summary>
// Reentrant: it holds no state, and a stateless worker otherwise runs one call at a time on each of a few activations,
// which would queue every caller behind the slowest app.
[StatelessWorker, Reentrant, GrainType("accounts.proxy")]
public sealed partial class AccountProxyGrain(
    IGrainFactory grains,
    IHttpClientFactory http,
    AuditTrail audit,
    IOptions<ConnectionsOptions> options,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AccountProxyGrain> logger) : Grain, IAccountProxyGrain
{
    async Task<ProxyResponse> IAccountProxyGrain.ProxyAsync(string accountId, ProxyRequest request)
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
        // Nothing goes out that the trail could not record.
        audit.RequireAvailable();

        ProxyResponse response;
        try
        {
            response = await SendAsync(app, api, request, credentials);
            if (response.Status == 401 && credentials.CanRefresh)
            {
                credentials = await account.PrepareProxyAsync(read, afterRefusal: true);
                response = await SendAsync(app, api, request, credentials);
            }
        }
        catch (ProxyFailedException e)
        {
            // The request may have reached the app before it failed: it is recorded all the same.
            Audit(accountId, request, e.Failure.ToString().ToLowerInvariant());
            throw;
        }
        Audit(accountId, request, response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return response;
    }

    private void Audit(string accountId, ProxyRequest request, string outcome)
        => audit.Record(new AuditEvent(time.GetUtcNow(), accountId, request.WorkspaceId, AuditTrail.Proxied,
            Principal.Actor($"workflow:{request.WorkflowId}")!, request.WorkflowId, request.StepId,
            $"{request.Method} {ProxyCall.Template(request.Path)} → {outcome}"));

    private async Task<ProxyResponse> SendAsync(AppDefinition app, ApiSettings api, ProxyRequest request, ProxyCredentials credentials)
    {
        var values = credentials.Values;
        var query = request.Query.Concat(api.Query.Select(p => new KeyValuePair<string, string>(p.Key, TestRequestTemplate.Fill(p.Value, values))));
        var baseUrl = TestRequestTemplate.Fill(api.BaseUrl, values, Uri.EscapeDataString);
        if (!SafeUrl.IsAllowed(baseUrl, options.Value.AllowLoopbackHttp) || ProxyCall.Target(baseUrl, request.Path, query) is not { } target)
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

        using var timeout = new CancellationTokenSource(options.Value.ProxyTimeout);
        try
        {
            using var response = await http.CreateClient(Keys.KeyVerifier.HttpClientName).SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var limit = options.Value.ProxyMaxResponseBytes;
            if (response.Content.Headers.ContentLength > limit) throw TooLarge(app, limit);
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, timeout.Token)) > 0)
            {
                if (buffer.Length + read > limit) throw TooLarge(app, limit);
                buffer.Write(chunk, 0, read);
            }
            var secrets = values.Values.Where(v => v.Length >= 6).ToList();
            return new ProxyResponse
            {
                Status = (int)response.StatusCode,
                Headers = response.Headers.Concat(response.Content.Headers)
                    .Where(h => ProxyCall.IsReturned(h.Key))
                    .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
                    // An app that echoes the credential in a header (some put the key in a Location) does not hand it over.
                    .Where(h => !secrets.Any(s => h.Value.Contains(s, StringComparison.Ordinal)))
                    .ToList(),
                Body = buffer.ToArray(),
            };
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
        {
            LogUnanswered(logger, app.Slug, e.GetType().Name);
            throw new ProxyFailedException(app.Slug,
                e is OperationCanceledException ? ProxyFailure.Timeout : ProxyFailure.Unreachable,
                e.InnerException is BlockedAddressException blocked ? blocked.Message
                : e is OperationCanceledException ? "the app did not answer in time" : "the app could not be reached");
        }
    }

    private static ProxyFailedException TooLarge(AppDefinition app, long limit)
        => new(app.Slug, ProxyFailure.TooLarge, $"the answer is larger than {limit} bytes, the most the proxy passes on");

    [LoggerMessage(Level = LogLevel.Warning, Message = "A proxied call to {App} got no answer ({Failure})")]
    private static partial void LogUnanswered(ILogger logger, string app, string failure);
}

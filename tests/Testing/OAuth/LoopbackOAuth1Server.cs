using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// An OAuth 1.0a provider (RFC 5849) on loopback for tests: request token, auto-approved consent, access token, and
/// an API whose calls must be signed with the access token. Every signature is checked with <see cref="OAuth1Check"/>,
/// an implementation of its own, so the service's signer is checked by something other than itself. Refusals answer
/// 401 with <c>oauth_problem=...</c> (the OAuth Problem Reporting names) and are kept in <see cref="Problems"/>.
/// </summary>
public sealed class LoopbackOAuth1Server : IAsyncDisposable
{
    public const string ConsumerKey = "loopback-consumer-key";
    public const string ConsumerSecret = "loopback-consumer-secret-7f3a9c";
    public const string Slug = "loopback_oauth1";
    private const string Username = "loopback-user";

    private const string RequestTokenPath = "/oauth/request_token";
    private const string AuthorizePath = "/oauth/authorize";
    private const string AccessTokenPath = "/oauth/access_token";
    private const string ApiPath = "/api";
    private const string FormMediaType = "application/x-www-form-urlencoded";
    private static readonly TimeSpan TimestampWindow = TimeSpan.FromSeconds(300);
    private static readonly string[] ClientParameters = ["oauth_consumer_key", "oauth_signature_method", "oauth_timestamp", "oauth_nonce", "oauth_signature"];

    private readonly Lock _gate = new();
    private readonly TimeProvider _clock;
    private readonly Dictionary<string, PendingConsent> _requestTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _accessTokens = new(StringComparer.Ordinal);
    private readonly HashSet<(string Timestamp, string Nonce)> _nonces = [];
    private readonly List<string> _problems = [];
    private readonly List<string> _authorizationHeaders = [];
    private WebApplication? _app;
    private Uri? _baseAddress;
    private bool _denyNext;
    private string _userId = "u-4242";
    private int _requestTokenCalls;
    private int _accessTokenCalls;
    private int _apiCalls;

    private LoopbackOAuth1Server(TimeProvider clock) => _clock = clock;

    /// <summary>The server's base address, <c>http://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress => _baseAddress ?? throw new InvalidOperationException("The server has not started.");

    /// <summary>When set, the next consent is refused (the callback gets <c>denied=</c>, as Twitter's does); then it resets.</summary>
    public bool DenyNext
    {
        get { lock (_gate) return _denyNext; }
        set { lock (_gate) _denyNext = value; }
    }

    /// <summary>Who consents: <c>user_nsid</c> of the access token answer and <c>id</c> of <c>/api/me</c>.</summary>
    public string UserId
    {
        get { lock (_gate) return _userId; }
        set { lock (_gate) _userId = value; }
    }

    /// <summary>Calls to the request-token endpoint, refused ones included.</summary>
    public int RequestTokenCalls => Volatile.Read(ref _requestTokenCalls);

    /// <summary>Calls to the access-token endpoint, refused ones included.</summary>
    public int AccessTokenCalls => Volatile.Read(ref _accessTokenCalls);

    /// <summary>Calls under <c>/api/</c>, refused ones included.</summary>
    public int ApiCalls => Volatile.Read(ref _apiCalls);

    /// <summary>Every <c>oauth_problem</c> answered so far, in order (a snapshot).</summary>
    public IReadOnlyList<string> Problems
    {
        get { lock (_gate) return [.. _problems]; }
    }

    /// <summary>Every <c>Authorization</c> header received so far, in order (a snapshot), for tests that look for secrets.</summary>
    public IReadOnlyList<string> AuthorizationHeaders
    {
        get { lock (_gate) return [.. _authorizationHeaders]; }
    }

    /// <summary>Every access token issued and its secret (a snapshot), for tests that look for them where they must not be.</summary>
    public IReadOnlyDictionary<string, string> IssuedAccessTokens
    {
        get { lock (_gate) return new Dictionary<string, string>(_accessTokens, StringComparer.Ordinal); }
    }

    /// <summary>The app's catalog entry, pointed at this server.</summary>
    public AppDefinition Definition => new()
    {
        Slug = Slug,
        Name = "Loopback OAuth1",
        Categories = ["developer-tools"],
        DocsUrl = "https://docs.loopback.example/oauth1",
        AuthType = AuthType.OAuth1,
        OAuth = new OAuthSettings
        {
            RequestTokenUrl = new Uri(BaseAddress, RequestTokenPath).ToString(),
            AuthorizeUrl = new Uri(BaseAddress, AuthorizePath).ToString(),
            TokenUrl = new Uri(BaseAddress, AccessTokenPath).ToString(),
            TokenResponse = new TokenResponseQuirks { IdentityPath = "user_nsid" },
        },
        Api = new ApiSettings { BaseUrl = new Uri(BaseAddress, ApiPath).ToString() },
    };

    /// <summary>
    /// Starts a server whose timestamp window (±300 s) is measured on <paramref name="clock"/>: the real clock unless a
    /// test moves the service's time and must move this one with it.
    /// </summary>
    public static async Task<LoopbackOAuth1Server> StartAsync(TimeProvider? clock = null)
    {
        var server = new LoopbackOAuth1Server(clock ?? TimeProvider.System);
        var app = LoopbackHost.CreateBuilder().Build();
        app.Run(server.AnswerAsync);
        server._app = app;
        try
        {
            server._baseAddress = await LoopbackHost.StartAsync(app, CancellationToken.None);
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Host settings that add this app to the catalog, let the service call it over loopback http, and set up the
    /// service's client at it with <paramref name="consumerSecret"/> (another than <see cref="ConsumerSecret"/> is refused).
    /// </summary>
    public void AddTo(IDictionary<string, string?> settings, string consumerSecret = ConsumerSecret)
    {
        TestCatalog.AddTo(settings, Definition);
        settings[$"Accounts:OAuthClients:{Slug}:ClientId"] = ConsumerKey;
        settings[$"Accounts:OAuthClients:{Slug}:ClientSecret"] = consumerSecret;
    }

    /// <summary>Refuses every access token issued so far, as when the person revokes the app; later ones work.</summary>
    public void RevokeAccessTokens()
    {
        lock (_gate) _accessTokens.Clear();
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is null) return;
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }

    private Task AnswerAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization;
        if (authorization.Count > 0)
            lock (_gate) _authorizationHeaders.AddRange(authorization.Select(a => a ?? ""));
        var path = context.Request.Path.Value ?? "";
        return (context.Request.Method, path) switch
        {
            ("POST", RequestTokenPath) => IssueRequestTokenAsync(context),
            ("GET", AuthorizePath) => ConsentAsync(context),
            ("POST", AccessTokenPath) => IssueAccessTokenAsync(context),
            _ when path.StartsWith(ApiPath + "/", StringComparison.Ordinal) => AnswerApiAsync(context),
            _ => NotFoundAsync(context),
        };
    }

    /// <summary>§2.1: temporary credentials, signed with the consumer secret alone, for a callback kept until consent.</summary>
    private async Task IssueRequestTokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requestTokenCalls);
        var request = await SignedRequest.ReadAsync(context);
        var callback = request.Protocol.GetValueOrDefault("oauth_callback");
        var problem = request.Problem
            ?? ClientProblem(request, "oauth_callback")
            ?? (request.Protocol.ContainsKey("oauth_token") ? "parameter_rejected" : null)
            ?? (IsWebAddress(callback) ? null : "parameter_rejected")
            ?? SignatureProblem(request, tokenSecret: null);
        if (problem is not null)
        {
            await RefuseAsync(context, problem);
            return;
        }
        var (token, secret) = (NewToken(), NewToken());
        lock (_gate) _requestTokens[token] = new PendingConsent(secret, callback!, Verifier: null);
        await AnswerFormAsync(context, ("oauth_token", token), ("oauth_token_secret", secret), ("oauth_callback_confirmed", "true"));
    }

    /// <summary>§2.2: the person's consent, given at once (or refused once after <see cref="DenyNext"/>).</summary>
    private async Task ConsentAsync(HttpContext context)
    {
        var token = context.Request.Query["oauth_token"].ToString();
        string? location = null;
        lock (_gate)
        {
            if (_requestTokens.TryGetValue(token, out var consent))
            {
                if (_denyNext)
                {
                    _denyNext = false;
                    _requestTokens.Remove(token);
                    location = WithQuery(consent.Callback, ("denied", token));
                }
                else
                {
                    var verifier = NewToken();
                    _requestTokens[token] = consent with { Verifier = verifier };
                    location = WithQuery(consent.Callback, ("oauth_token", token), ("oauth_verifier", verifier));
                }
            }
        }
        if (location is null)
        {
            await RefuseAsync(context, "token_rejected", StatusCodes.Status400BadRequest);
            return;
        }
        context.Response.Redirect(location);
    }

    /// <summary>§2.3: the request token traded, once, for the access token, with the verifier its consent issued.</summary>
    private async Task IssueAccessTokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _accessTokenCalls);
        var request = await SignedRequest.ReadAsync(context);
        var problem = request.Problem ?? ClientProblem(request, "oauth_token", "oauth_verifier");
        var token = request.Protocol.GetValueOrDefault("oauth_token") ?? "";
        PendingConsent? consent = null;
        if (problem is null)
            lock (_gate) consent = _requestTokens.GetValueOrDefault(token);
        problem ??= consent is null ? "token_rejected" : SignatureProblem(request, consent.Secret);
        problem ??= consent!.Verifier is { } verifier && OAuth1Check.SignatureMatches(verifier, request.Protocol["oauth_verifier"])
            ? null
            : "verifier_invalid";
        if (problem is null)
        {
            // Two trades racing with the same request token: only the one that removes it wins.
            lock (_gate) problem = _requestTokens.Remove(token) ? null : "token_rejected";
        }
        if (problem is not null)
        {
            await RefuseAsync(context, problem);
            return;
        }
        var (access, secret) = (NewToken(), NewToken());
        lock (_gate) _accessTokens[access] = secret;
        await AnswerFormAsync(context,
            ("oauth_token", access), ("oauth_token_secret", secret), ("user_nsid", UserId), ("username", Username));
    }

    /// <summary>§3: a protected resource, signed with the access token; <c>/api/me</c> names the user, any other path echoes.</summary>
    private async Task AnswerApiAsync(HttpContext context)
    {
        Interlocked.Increment(ref _apiCalls);
        var request = await SignedRequest.ReadAsync(context);
        var problem = request.Problem ?? ClientProblem(request, "oauth_token");
        string? secret = null;
        if (problem is null)
            lock (_gate) secret = _accessTokens.GetValueOrDefault(request.Protocol["oauth_token"]);
        problem ??= secret is null ? "token_rejected" : SignatureProblem(request, secret);
        if (problem is not null)
        {
            await RefuseAsync(context, problem);
            return;
        }
        if (context.Request.Path == ApiPath + "/me")
        {
            await context.Response.WriteAsJsonAsync(new { id = UserId });
            return;
        }
        await context.Response.WriteAsJsonAsync(new
        {
            method = context.Request.Method,
            path = context.Request.Path.Value,
            query = Fields(request.Query),
            form = Fields(request.Form),
        });
    }

    /// <summary>What is wrong with the client's part of a request (§3.2), before any token is looked at; null when nothing.</summary>
    private string? ClientProblem(SignedRequest request, params string[] required)
    {
        var protocol = request.Protocol;
        if (ClientParameters.Concat(required).Any(name => !protocol.ContainsKey(name))) return "parameter_absent";
        if (protocol["oauth_consumer_key"] != ConsumerKey) return "consumer_key_unknown";
        if (protocol["oauth_signature_method"] != "HMAC-SHA1") return "signature_method_rejected";
        if (protocol.TryGetValue("oauth_version", out var version) && version != "1.0") return "version_rejected";
        if (!long.TryParse(protocol["oauth_timestamp"], NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            || seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds()
            || (_clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > TimestampWindow)
            return "timestamp_refused";
        return null;
    }

    /// <summary>
    /// The signature (§3.4.2), then the nonce (§3.3), which is only spent by a request whose signature is right. A nonce
    /// is refused when it was seen with the same timestamp whatever the token: stricter than §3.3, since a signer that
    /// repeats one across tokens has a broken source of randomness.
    /// </summary>
    private string? SignatureProblem(SignedRequest request, string? tokenSecret)
    {
        var expected = OAuth1Check.Signature(request.BaseString, ConsumerSecret, tokenSecret);
        if (!OAuth1Check.SignatureMatches(expected, request.Protocol["oauth_signature"])) return "signature_invalid";
        lock (_gate) return _nonces.Add((request.Protocol["oauth_timestamp"], request.Protocol["oauth_nonce"])) ? null : "nonce_used";
    }

    private async Task RefuseAsync(HttpContext context, string problem, int status = StatusCodes.Status401Unauthorized)
    {
        lock (_gate) _problems.Add(problem);
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status401Unauthorized) context.Response.Headers.WWWAuthenticate = "OAuth realm=\"loopback\"";
        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"oauth_problem={problem}");
    }

    private static Task AnswerFormAsync(HttpContext context, params (string Name, string Value)[] fields)
    {
        context.Response.ContentType = FormMediaType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(string.Join('&', fields.Select(f => $"{OAuth1Check.Encode(f.Name)}={OAuth1Check.Encode(f.Value)}")));
    }

    private static Task NotFoundAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    private static bool IsWebAddress(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The callback with parameters added to its own query, before any fragment.</summary>
    private static string WithQuery(string callback, params (string Name, string Value)[] parameters)
    {
        var hash = callback.IndexOf('#', StringComparison.Ordinal);
        var (address, fragment) = hash < 0 ? (callback, "") : (callback[..hash], callback[hash..]);
        var separator = !address.Contains('?', StringComparison.Ordinal) ? "?" : address.EndsWith('?') || address.EndsWith('&') ? "" : "&";
        var added = string.Join('&', parameters.Select(p => $"{OAuth1Check.Encode(p.Name)}={OAuth1Check.Encode(p.Value)}"));
        return address + separator + added + fragment;
    }

    private static Dictionary<string, string> Fields(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters) fields[name] = value;
        return fields;
    }

    private static string NewToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));

    private sealed record PendingConsent(string Secret, string Callback, string? Verifier);

    /// <summary>A request as its signature sees it: the protocol parameters, the query and form, and its base string.</summary>
    private sealed record SignedRequest(
        IReadOnlyDictionary<string, string> Protocol,
        IReadOnlyList<KeyValuePair<string, string>> Query,
        IReadOnlyList<KeyValuePair<string, string>> Form,
        string BaseString,
        string? Problem)
    {
        private static readonly IReadOnlyDictionary<string, string> None = new Dictionary<string, string>();

        public static async Task<SignedRequest> ReadAsync(HttpContext context)
        {
            var request = context.Request;
            // The path as sent, still percent-encoded (§3.4.1.2); Request.Path would be decoded.
            var target = context.Features.GetRequiredFeature<IHttpRequestFeature>().RawTarget;
            var question = target.IndexOf('?', StringComparison.Ordinal);
            var (path, query) = question < 0 ? (target, "") : (target[..question], target[(question + 1)..]);
            var formBody = IsForm(request)
                ? await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync(context.RequestAborted)
                : null;
            var headers = request.Headers.Authorization;
            var protocol = headers.Count == 1 ? OAuth1Check.ReadAuthorization(headers.ToString()) : null;
            string? problem = null;
            if (protocol is null)
            {
                var isOAuth = headers.Count > 0 && headers.ToString().StartsWith("OAuth ", StringComparison.OrdinalIgnoreCase);
                problem = isOAuth ? "parameter_rejected" : "parameter_absent";
                protocol = None;
            }
            var parameters = OAuth1Check.SignedParameters(query, protocol, formBody);
            var baseString = OAuth1Check.BaseString(request.Method, OAuth1Check.BaseStringUri(request.Scheme, request.Host.Value ?? "", path), parameters);
            return new SignedRequest(protocol, OAuth1Check.FormDecode(query), OAuth1Check.FormDecode(formBody), baseString, problem);
        }

        private static bool IsForm(HttpRequest request) =>
            MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && type.MediaType.Equals(FormMediaType, StringComparison.OrdinalIgnoreCase);
    }
}

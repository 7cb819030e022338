using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// A real OAuth 2.0 authorization server (OpenIddict) on loopback for tests: authorization code with PKCE (S256 only),
/// rotating refresh tokens, RFC 7009 revocation, introspection, and optionally the RFC 9207 <c>iss</c> callback
/// parameter. There is no login page: the authorize endpoint signs in <see cref="LoopbackAuthorizationServerOptions.Subject"/>
/// at once, or refuses with <c>access_denied</c> when the request has <c>prompt=deny</c> or the options say so.
/// </summary>
public sealed class LoopbackAuthorizationServer : IAsyncDisposable
{
    /// <summary>A <c>prompt</c> value that makes the automatic user refuse the request.</summary>
    public const string DenyPrompt = "deny";

    private const string AuthorizePath = "/connect/authorize";
    private const string TokenPath = "/connect/token";
    private const string RevocationPath = "/connect/revoke";
    private const string IntrospectionPath = "/connect/introspect";
    private const string ConfigurationPath = "/.well-known/openid-configuration";
    private const string KeySetPath = "/.well-known/jwks";

    // RSA key generation costs tens of milliseconds; one signing key per test process keeps start-up fast.
    private static readonly Lazy<SecurityKey> SigningKey = new(() => new RsaSecurityKey(RSA.Create(2048)));

    private readonly WebApplication _app;
    private readonly AuthorizationServerDatabase _database;
    private readonly EndpointCalls _calls;
    private readonly TokenActivity _activity;
    private readonly HttpClient _browser = new(new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

    private LoopbackAuthorizationServer(
        WebApplication app, AuthorizationServerDatabase database, EndpointCalls calls, TokenActivity activity,
        LoopbackAuthorizationServerOptions options, Uri issuer)
    {
        _app = app;
        _database = database;
        _calls = calls;
        _activity = activity;
        Options = options;
        Issuer = issuer;
    }

    /// <summary>The server's base address, <c>http://127.0.0.1:port/</c>; also the <c>iss</c> of its tokens and callbacks.</summary>
    public Uri Issuer { get; }

    public Uri AuthorizeEndpoint => new(Issuer, AuthorizePath);
    public Uri TokenEndpoint => new(Issuer, TokenPath);
    public Uri RevocationEndpoint => new(Issuer, RevocationPath);
    public Uri IntrospectionEndpoint => new(Issuer, IntrospectionPath);

    /// <summary>The discovery document (RFC 8414 / OpenID Connect Discovery).</summary>
    public Uri ConfigurationEndpoint => new(Issuer, ConfigurationPath);

    public LoopbackAuthorizationServerOptions Options { get; }

    /// <summary>Token-endpoint calls with <c>grant_type=authorization_code</c>, successful or not.</summary>
    public int CodeExchanges => _calls.CodeExchanges;

    /// <summary>Token-endpoint calls with <c>grant_type=refresh_token</c>, successful or not.</summary>
    public int Refreshes => _calls.Refreshes;

    /// <summary>Calls to the revocation endpoint, successful or not.</summary>
    public int Revocations => _calls.Revocations;

    /// <summary>Token-endpoint calls with <c>grant_type=client_credentials</c>, successful or not.</summary>
    public int ClientTokens => _calls.ClientTokens;

    /// <summary>Token-endpoint calls with the JWT-bearer grant, successful or not.</summary>
    public int AssertionGrants => _calls.AssertionGrants;

    /// <summary>The JWT-bearer grant type (RFC 7523 §2.1).</summary>
    public const string JwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer";

    public static async Task<LoopbackAuthorizationServer> StartAsync(LoopbackAuthorizationServerOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        var database = new AuthorizationServerDatabase();
        var calls = new EndpointCalls();
        var encryptionKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        WebApplication? app = null;
        try
        {
            var builder = LoopbackHost.CreateBuilder();
            builder.Services.AddDbContext<AuthorizationServerDbContext>(db => db.UseSqlite(database.ConnectionString).UseOpenIddict());
            builder.Services.AddOpenIddict()
                .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<AuthorizationServerDbContext>())
                .AddServer(server => ConfigureServer(server, options, encryptionKey));

            app = builder.Build();
            app.Use(calls.CountAsync);
            app.UseAuthentication();
            app.Run(static context =>
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });

            await RegisterClientAsync(app.Services, options, ct);
            var issuer = await LoopbackHost.StartAsync(app, ct);
            var activity = new TokenActivity(app.Services, SigningKey.Value, encryptionKey, options.TimeProvider ?? TimeProvider.System);
            return new LoopbackAuthorizationServer(app, database, calls, activity, options, issuer);
        }
        catch
        {
            if (app is not null) await app.DisposeAsync();
            database.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Plays the user's browser: GETs the authorize URL (no redirects followed) and returns the Location it redirects to
    /// (the client's redirect URI with code and state, or with an error such as <c>access_denied</c>,
    /// <c>invalid_scope</c> or <c>invalid_request</c>). Throws, with the server's error in the message, when the server
    /// answers with an error page instead, as OAuth requires when the client id or redirect URI is not the registered one.
    /// </summary>
    public async Task<Uri> AuthorizeAsUserAsync(Uri authorizeUrl, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(authorizeUrl);
        using var response = await _browser.GetAsync(authorizeUrl, ct);
        if (response.StatusCode is HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.RedirectKeepVerb
            && response.Headers.Location is { } location)
        {
            return location.IsAbsoluteUri ? location : new Uri(authorizeUrl, location);
        }

        var body = await response.Content.ReadAsStringAsync(ct);
        throw new InvalidOperationException(
            $"The authorization server did not redirect back to the client: {(int)response.StatusCode} {response.ReasonPhrase}. {body}");
    }

    /// <summary>
    /// Whether an access or refresh token is still usable: known to the store, not expired on the server's clock, not
    /// revoked or already exchanged (a rotated refresh token is inactive even within a reuse leeway), and its grant not
    /// revoked. Looking has no side effects, unlike introspecting a rotated refresh token (see <see cref="TokenActivity"/>).
    /// </summary>
    public Task<bool> IsActiveAsync(string token, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        return _activity.IsActiveAsync(token, ct);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _app.StopAsync();
        }
        finally
        {
            await _app.DisposeAsync();
            _browser.Dispose();
            _database.Dispose();
        }
    }

    private static void ConfigureServer(OpenIddictServerBuilder server, LoopbackAuthorizationServerOptions options, SecurityKey encryptionKey)
    {
        server.SetAuthorizationEndpointUris(AuthorizePath[1..])
            .SetTokenEndpointUris(TokenPath[1..])
            .SetRevocationEndpointUris(RevocationPath[1..])
            .SetIntrospectionEndpointUris(IntrospectionPath[1..])
            .SetConfigurationEndpointUris(ConfigurationPath[1..])
            .SetJsonWebKeySetEndpointUris(KeySetPath[1..]);

        server.AllowAuthorizationCodeFlow()
            .AllowRefreshTokenFlow()
            .AllowClientCredentialsFlow()
            .RequireProofKeyForCodeExchange()
            .RegisterScopes([.. options.Scopes.Append(Scopes.OfflineAccess).Distinct(StringComparer.Ordinal)])
            .RegisterPromptValues(DenyPrompt)
            .SetAccessTokenLifetime(options.AccessTokenLifetime)
            .SetRefreshTokenLifetime(options.RefreshTokenLifetime)
            // Rotation ("rolling" refresh tokens) is OpenIddict's default, but so is a 30 s window in which the old refresh
            // token still works; null closes it.
            .SetRefreshTokenReuseLeeway(options.RefreshTokenReuseLeeway)
            // Plain JWT access tokens (not JWE), so a test can read them; codes and refresh tokens stay encrypted.
            .DisableAccessTokenEncryption()
            .AddSigningKey(SigningKey.Value)
            .AddEncryptionKey(encryptionKey);

        server.Configure(o =>
        {
            // RFC 7636 lets "plain" through; OAuth 2.1 and this server take only S256.
            o.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain);
            if (options.TimeProvider is not null) o.TimeProvider = options.TimeProvider;
        });

        if (!options.SendIssuerOnCallback)
        {
            // OpenIddict always sends "iss" (RFC 9207) and says so in its metadata; a provider without it is a real case too.
            server.RemoveEventHandler(OpenIddictServerHandlers.Authentication.AttachIssuer.Descriptor);
            server.AddEventHandler<HandleConfigurationRequestContext>(handler => handler
                .UseInlineHandler(static context =>
                {
                    context.Metadata[Metadata.AuthorizationResponseIssParameterSupported] = false;
                    return default;
                })
                .SetOrder(OpenIddictServerHandlers.Discovery.AttachAdditionalMetadata.Descriptor.Order + 1));
        }

        server.AddEventHandler<HandleAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            SignInTestUser(context, options);
            return default;
        }));

        if (options.ServiceAccounts.Count > 0)
        {
            // A service account authenticates by its assertion alone, so the request names no client.
            server.AllowCustomFlow(JwtBearerGrant).AcceptAnonymousClients();
            var assertions = new AssertionCheck(options);
            server.AddEventHandler<HandleTokenRequestContext>(handler => handler.UseInlineHandler(assertions.HandleAsync));
        }

        // A client acting for itself: OpenIddict has authenticated it by now, so the token says who the client is.
        server.AddEventHandler<HandleTokenRequestContext>(handler => handler.UseInlineHandler(context =>
        {
            if (!context.Request.IsClientCredentialsGrantType()) return default;
            var identity = new ClaimsIdentity(authenticationType: "LoopbackAuthorizationServer", nameType: Claims.Name, roleType: Claims.Role);
            identity.SetClaim(Claims.Subject, context.ClientId);
            identity.SetScopes(context.Request.GetScopes());
            identity.SetDestinations(static _ => [Destinations.AccessToken]);
            context.SignIn(new ClaimsPrincipal(identity));
            return default;
        }));

        // OpenIddict shows every error found while validating an authorization request (bad scope, missing PKCE) on its
        // own error page. RFC 6749 §4.1.2.1 sends them back to the client once client and redirect URI are known good,
        // and that is what the client under test has to handle, so do the same.
        var registeredRedirects = options.RedirectUris
            .Concat(options.RedirectUris.Select(u => new Uri(u).AbsoluteUri))
            .ToHashSet(StringComparer.Ordinal);
        server.AddEventHandler<ApplyAuthorizationResponseContext>(handler => handler
            .UseInlineHandler(context =>
            {
                if (context.RedirectUri is null && context.Request is { ClientId: var clientId, RedirectUri: { } redirectUri }
                    && context.Response.Error is not null
                    && string.Equals(clientId, options.ClientId, StringComparison.Ordinal) && registeredRedirects.Contains(redirectUri))
                {
                    context.RedirectUri = redirectUri;
                }
                return default;
            })
            .SetOrder(OpenIddictServerHandlers.Authentication.AttachRedirectUri.Descriptor.Order + 1));

        server.UseAspNetCore().DisableTransportSecurityRequirement();
    }

    private static void SignInTestUser(HandleAuthorizationRequestContext context, LoopbackAuthorizationServerOptions options)
    {
        if (options.DenyAuthorization || context.Request.HasPromptValue(DenyPrompt))
        {
            context.Reject(error: Errors.AccessDenied, description: "The test user denied the authorization request.");
            return;
        }

        var identity = new ClaimsIdentity(authenticationType: "LoopbackAuthorizationServer", nameType: Claims.Name, roleType: Claims.Role);
        identity.SetClaim(Claims.Subject, options.Subject);
        identity.SetScopes(context.Request.GetScopes().Add(Scopes.OfflineAccess));
        identity.SetDestinations(static _ => [Destinations.AccessToken]);
        context.SignIn(new ClaimsPrincipal(identity));
    }

    private static async Task RegisterClientAsync(IServiceProvider services, LoopbackAuthorizationServerOptions options, CancellationToken ct)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<AuthorizationServerDbContext>().Database.EnsureCreatedAsync(ct);

        var client = new OpenIddictApplicationDescriptor
        {
            ClientId = options.ClientId,
            ClientSecret = options.ClientSecret,
            ClientType = ClientTypes.Confidential,
            ConsentType = ConsentTypes.Implicit,
            DisplayName = "Accounts test client",
            Permissions =
            {
                Permissions.Endpoints.Authorization,
                Permissions.Endpoints.Token,
                Permissions.Endpoints.Revocation,
                Permissions.Endpoints.Introspection,
                Permissions.GrantTypes.AuthorizationCode,
                Permissions.GrantTypes.RefreshToken,
                Permissions.GrantTypes.ClientCredentials,
                Permissions.ResponseTypes.Code,
                Permissions.Prefixes.Scope + Scopes.OfflineAccess,
            },
            Requirements = { Requirements.Features.ProofKeyForCodeExchange },
        };
        foreach (var scopeName in options.Scopes) client.Permissions.Add(Permissions.Prefixes.Scope + scopeName);
        foreach (var uri in options.RedirectUris) client.RedirectUris.Add(new Uri(uri));

        await scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>().CreateAsync(client, ct);
    }

    /// <summary>
    /// The JWT-bearer grant as RFC 7523 §3 has the server check it: signed by the key registered for its <c>iss</c>,
    /// addressed to this token endpoint, not expired, living at most an hour, and never presented twice (its <c>jti</c>).
    /// </summary>
    private sealed class AssertionCheck(LoopbackAuthorizationServerOptions options)
    {
        private readonly Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler _handler = new();
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _seen = new(StringComparer.Ordinal);

        public async ValueTask HandleAsync(HandleTokenRequestContext context)
        {
            if (context.Request.GrantType == JwtBearerGrant && await ProblemAsync(context) is { } problem)
                context.Reject(error: Errors.InvalidGrant, description: problem);
        }

        private async Task<string?> ProblemAsync(HandleTokenRequestContext context)
        {
            if ((string?)context.Request["assertion"] is not { Length: > 0 } assertion) return "The assertion is missing.";
            var now = (options.TimeProvider ?? TimeProvider.System).GetUtcNow();
            var result = await _handler.ValidateTokenAsync(assertion, new TokenValidationParameters
            {
                ValidIssuers = options.ServiceAccounts.Keys,
                IssuerSigningKeyResolver = (_, token, _, _) => options.ServiceAccounts.TryGetValue(token.Issuer, out var key) ? [key] : [],
                ValidAudience = new Uri(context.BaseUri!, TokenPath[1..]).AbsoluteUri,
                // Checked below on the server's own clock, which a test may move.
                ValidateLifetime = false,
            });
            if (!result.IsValid || result.SecurityToken is not Microsoft.IdentityModel.JsonWebTokens.JsonWebToken token)
                return $"The assertion is not valid: {result.Exception?.GetType().Name}.";
            if (token.ValidTo == DateTime.MinValue || token.ValidTo <= now.UtcDateTime) return "The assertion has expired.";
            if (token.IssuedAt == DateTime.MinValue || token.ValidTo - token.IssuedAt > TimeSpan.FromHours(1)) return "The assertion lives too long.";
            if (!token.TryGetPayloadValue<string>("jti", out var jti) || !_seen.TryAdd(jti, true)) return "The assertion was presented before.";

            var identity = new ClaimsIdentity(authenticationType: "LoopbackAuthorizationServer", nameType: Claims.Name, roleType: Claims.Role);
            identity.SetClaim(Claims.Subject, token.Subject is { Length: > 0 } subject ? subject : token.Issuer);
            identity.SetScopes(token.TryGetPayloadValue<string>("scope", out var inAssertion)
                ? inAssertion.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : context.Request.GetScopes());
            identity.SetDestinations(static _ => [Destinations.AccessToken]);
            context.SignIn(new ClaimsPrincipal(identity));
            return null;
        }
    }

    /// <summary>Counts requests as they arrive, before OpenIddict decides on them, so refused calls count too.</summary>
    private sealed class EndpointCalls
    {
        private int _codeExchanges;
        private int _refreshes;
        private int _revocations;
        private int _clientTokens;
        private int _assertionGrants;

        public int ClientTokens => Volatile.Read(ref _clientTokens);
        public int AssertionGrants => Volatile.Read(ref _assertionGrants);

        public int CodeExchanges => Volatile.Read(ref _codeExchanges);
        public int Refreshes => Volatile.Read(ref _refreshes);
        public int Revocations => Volatile.Read(ref _revocations);

        public async Task CountAsync(HttpContext context, RequestDelegate next)
        {
            var path = context.Request.Path;
            if (path.Equals(RevocationPath, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _revocations);
            }
            else if (path.Equals(TokenPath, StringComparison.Ordinal) && context.Request.HasFormContentType)
            {
                // ReadFormAsync caches the form, so OpenIddict reads the same one afterwards.
                var form = await context.Request.ReadFormAsync(context.RequestAborted);
                if (form[Parameters.GrantType] == GrantTypes.AuthorizationCode) Interlocked.Increment(ref _codeExchanges);
                else if (form[Parameters.GrantType] == GrantTypes.RefreshToken) Interlocked.Increment(ref _refreshes);
                else if (form[Parameters.GrantType] == GrantTypes.ClientCredentials) Interlocked.Increment(ref _clientTokens);
                else if (form[Parameters.GrantType] == JwtBearerGrant) Interlocked.Increment(ref _assertionGrants);
            }
            await next(context);
        }
    }
}

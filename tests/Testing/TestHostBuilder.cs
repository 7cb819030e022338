using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Testing;

/// <summary>
/// Says what a <see cref="TestHost"/> runs on and with: the store's engine, a key-based app on loopback, an OAuth app
/// served by a real authorization server or a scriptable token endpoint, the service's clock, and any other setting.
/// </summary>
public sealed class TestHostBuilder
{
    private readonly StorageEngine _engine;
    private readonly PostgresServer? _postgres;
    private readonly List<Action<Dictionary<string, string?>>> _settings = [];
    private string? _validKey;
    private OAuthServerKind _oauth;
    private LoopbackAuthorizationServerOptions? _serverOptions;
    private FakeTimeProvider? _time;
    private Action<WebApplicationBuilder>? _configure;
    private int? _port;
    private ApiSettings? _oauthApi;
    private Func<AppDefinition, AppDefinition>? _oauthApp;

    internal TestHostBuilder(StorageEngine engine, PostgresServer? postgres)
    {
        _engine = engine;
        _postgres = postgres;
    }

    private enum OAuthServerKind { None, AuthorizationServer, FakeTokenEndpoint }

    /// <summary>Adds <see cref="LoopbackKeyApp"/> to the catalog, accepting exactly <paramref name="validKey"/>.</summary>
    public TestHostBuilder WithKeyApp(string validKey = TestHost.Key)
    {
        _validKey = validKey;
        return this;
    }

    /// <summary>Adds the OAuth app <see cref="TestHost.OAuthSlug"/>, served by a real authorization server (OpenIddict) on loopback.</summary>
    public TestHostBuilder WithAuthorizationServer(LoopbackAuthorizationServerOptions? options = null)
    {
        _oauth = OAuthServerKind.AuthorizationServer;
        _serverOptions = options;
        return this;
    }

    /// <summary>Adds the OAuth app <see cref="TestHost.OAuthSlug"/>, served by a <see cref="FakeTokenEndpoint"/> the test scripts.</summary>
    public TestHostBuilder WithFakeTokenEndpoint()
    {
        _oauth = OAuthServerKind.FakeTokenEndpoint;
        return this;
    }

    /// <summary>Changes the OAuth app's entry (settings, templated URLs, captures) before the Host reads it.</summary>
    public TestHostBuilder WithOAuthApp(Func<AppDefinition, AppDefinition> adjust)
    {
        _oauthApp = adjust;
        return this;
    }

    /// <summary>Gives the OAuth app an API (for the proxy) at <paramref name="api"/>.</summary>
    public TestHostBuilder WithOAuthApi(ApiSettings api)
    {
        _oauthApi = api;
        return this;
    }

    /// <summary>
    /// Serves the Host on a fixed loopback port that its own URLs (the OAuth callback, the connect page) name, so a real
    /// browser can follow the authorization server's redirect back to it.
    /// </summary>
    public TestHostBuilder ReachableByBrowser()
    {
        var port = FreePorts.Next();
        _port = port;
        return Configure(builder => builder.WebHost.UseUrls($"http://127.0.0.1:{port}"));
    }

    private string Callback => _port is { } port ? $"http://127.0.0.1:{port}/oauth/callback" : TestHost.RedirectUri;

    /// <summary>Runs the service on <paramref name="time"/>; Orleans' own runtime keeps the real clock.</summary>
    public TestHostBuilder WithTime(FakeTimeProvider time)
    {
        _time = time;
        return this;
    }

    /// <summary>Adjusts how the Host is built (logging, tracing, services), at every start.</summary>
    public TestHostBuilder Configure(Action<WebApplicationBuilder> configure)
    {
        _configure += configure;
        return this;
    }

    /// <summary>Changes the Host's settings after everything above has written its own.</summary>
    public TestHostBuilder With(Action<Dictionary<string, string?>>? adjust)
    {
        if (adjust is not null) _settings.Add(adjust);
        return this;
    }

    public async Task<TestHost> StartAsync()
    {
        var resources = new List<IAsyncDisposable>();
        var storage = await TestStorage.CreateAsync(_engine, _postgres);
        try
        {
            var settings = new Dictionary<string, string?>(storage.HostSettings);
            var apps = new List<AppDefinition>();
            LoopbackKeyApp? keyApp = null;
            if (_validKey is not null)
            {
                keyApp = await LoopbackKeyApp.StartAsync(_validKey);
                resources.Add(keyApp);
                apps.Add(keyApp.Definition);
            }
            var oauthServer = await StartOAuthServerAsync(settings, apps);
            if (oauthServer is not null) resources.Add(oauthServer);
            if (apps.Count > 0) TestCatalog.AddTo(settings, [.. apps]);
            foreach (var adjust in _settings) adjust(settings);

            var host = new TestHost(storage, settings, keyApp, oauthServer, _time, _configure, resources);
            await host.StartHostAsync();
            return host;
        }
        catch
        {
            foreach (var resource in resources) await resource.DisposeAsync();
            storage.Dispose();
            throw;
        }
    }

    private async Task<IAsyncDisposable?> StartOAuthServerAsync(Dictionary<string, string?> settings, List<AppDefinition> apps)
    {
        AppDefinition app;
        IAsyncDisposable server;
        switch (_oauth)
        {
            case OAuthServerKind.AuthorizationServer:
                var real = await LoopbackAuthorizationServer.StartAsync(_serverOptions ?? new LoopbackAuthorizationServerOptions
                {
                    ClientId = TestHost.OAuthClientId,
                    ClientSecret = TestHost.OAuthClientSecret,
                    RedirectUris = [Callback],
                    AccessTokenLifetime = TimeSpan.FromHours(1),
                });
                app = TestCatalog.OAuthApp(TestHost.OAuthSlug, real.AuthorizeEndpoint, real.TokenEndpoint, real.RevocationEndpoint,
                    issuer: real.Options.SendIssuerOnCallback ? real.Issuer.ToString() : null);
                server = real;
                break;
            case OAuthServerKind.FakeTokenEndpoint:
                var fake = await FakeTokenEndpoint.StartAsync();
                app = TestCatalog.OAuthApp(TestHost.OAuthSlug, new Uri(fake.TokenUrl, "/authorize"), fake.TokenUrl, fake.RevokeUrl,
                    pkce: false, auth: TokenRequestAuth.ClientSecretPost);
                server = fake;
                break;
            default:
                return null;
        }
        if (_oauthApi is not null) app = app with { Api = _oauthApi };
        if (_oauthApp is not null) app = _oauthApp(app);
        settings[$"Accounts:OAuthClients:{TestHost.OAuthSlug}:ClientId"] = TestHost.OAuthClientId;
        settings[$"Accounts:OAuthClients:{TestHost.OAuthSlug}:ClientSecret"] = TestHost.OAuthClientSecret;
        settings["Accounts:Connections:RedirectUri"] = Callback;
        apps.Add(app);
        return server;
    }

    /// <summary>Puts <paramref name="time"/> in place of the service's clock in a Host being built.</summary>
    internal static void UseTime(WebApplicationBuilder builder, TimeProvider time)
    {
        builder.Services.RemoveAllKeyed<TimeProvider>(ServiceClock.Key);
        builder.Services.AddKeyedSingleton(ServiceClock.Key, time);
    }
}

using System.Net.Http.Json;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Tests.Storage;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// A Host whose catalog has an OAuth app served either by a real authorization server on loopback (OpenIddict) or by
/// a scriptable fake token endpoint. The test plays the person's browser.
/// </summary>
public sealed class OAuthAccountsHost : IAsyncDisposable
{
    public const string Slug = "loopback_oauth";
    public const string Workspace = "ws_acme";
    public const string ClientId = "accounts-test-client";
    public const string ClientSecret = "accounts-test-secret";
    public const string RedirectUri = "http://127.0.0.1/oauth/callback";

    private readonly TestStorage _storage;
    private readonly IAsyncDisposable _server;

    private OAuthAccountsHost(TestStorage storage, IAsyncDisposable server, RunningHost host, Dictionary<string, string?> settings)
    {
        _storage = storage;
        _server = server;
        Host = host;
        Settings = settings;
    }

    public RunningHost Host { get; private set; }

    public Dictionary<string, string?> Settings { get; }

    public StorageOptions Storage => _storage.Options;

    public LoopbackAuthorizationServer? Server => _server as LoopbackAuthorizationServer;

    public FakeTokenEndpoint? Fake => _server as FakeTokenEndpoint;

    public IAccountConnectorGrain Connector => Host.Grains.GetGrain<IAccountConnectorGrain>(0);

    public IConnectedAccountGrain Account(string id) => Host.Grains.GetGrain<IConnectedAccountGrain>(id);

    public IOAuthClientRegistryGrain Clients => Host.Grains.GetGrain<IOAuthClientRegistryGrain>(0);

    /// <summary>For <c>adjust</c>: a Host whose configuration has no client for the app, so an operator must enter one.</summary>
    public static void WithoutConfiguredClient(Dictionary<string, string?> settings)
    {
        settings.Remove($"Accounts:OAuthClients:{Slug}:ClientId");
        settings.Remove($"Accounts:OAuthClients:{Slug}:ClientSecret");
    }

    public static async Task<OAuthAccountsHost> WithAuthorizationServerAsync(StorageEngine engine, PostgresServer postgres,
        LoopbackAuthorizationServerOptions? options = null, Action<Dictionary<string, string?>>? adjust = null)
    {
        var server = await LoopbackAuthorizationServer.StartAsync(options ?? new LoopbackAuthorizationServerOptions
        {
            ClientId = ClientId,
            ClientSecret = ClientSecret,
            RedirectUris = [RedirectUri],
            AccessTokenLifetime = TimeSpan.FromHours(1),
        });
        var app = TestCatalog.OAuthApp(Slug, server.AuthorizeEndpoint, server.TokenEndpoint, server.RevocationEndpoint,
            issuer: server.Options.SendIssuerOnCallback ? server.Issuer.ToString() : null);
        return await StartAsync(engine, postgres, server, app, adjust);
    }

    public static async Task<OAuthAccountsHost> WithFakeTokenEndpointAsync(StorageEngine engine, PostgresServer postgres, Action<Dictionary<string, string?>>? adjust = null)
    {
        var fake = await FakeTokenEndpoint.StartAsync();
        var app = TestCatalog.OAuthApp(Slug, new Uri(fake.TokenUrl, "/authorize"), fake.TokenUrl, fake.RevokeUrl, pkce: false, auth: Contracts.Catalog.TokenRequestAuth.ClientSecretPost);
        return await StartAsync(engine, postgres, fake, app, adjust);
    }

    private static async Task<OAuthAccountsHost> StartAsync(StorageEngine engine, PostgresServer postgres, IAsyncDisposable server,
        Contracts.Catalog.AppDefinition app, Action<Dictionary<string, string?>>? adjust)
    {
        var storage = await TestStorage.CreateAsync(engine, postgres);
        var settings = new Dictionary<string, string?>(storage.HostSettings)
        {
            [$"Accounts:OAuthClients:{Slug}:ClientId"] = ClientId,
            [$"Accounts:OAuthClients:{Slug}:ClientSecret"] = ClientSecret,
            ["Accounts:Connections:RedirectUri"] = RedirectUri,
        };
        TestCatalog.AddTo(settings, app);
        adjust?.Invoke(settings);
        return new OAuthAccountsHost(storage, server, await RunningHost.StartAsync(settings), settings);
    }

    public Task<OAuthStarted> StartFlowAsync(string? reconnect = null, string workspace = Workspace)
        => Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = workspace,
            AppSlug = Slug,
            Nickname = "Team account",
            Actor = "ops@example.com",
            ReconnectAccountId = reconnect,
        });

    /// <summary>The browser's last hop: the app's redirect, delivered to the Host's callback.</summary>
    public Task<HttpResponseMessage> CallbackAsync(string query)
        => Host.Http.GetAsync(new Uri("/oauth/callback" + (query.StartsWith('?') ? query : "?" + query), UriKind.Relative), TestContext.Current.CancellationToken);

    /// <summary>Start, consent at the real server, deliver the callback; the new account's id.</summary>
    public async Task<string> ConnectAsync(string? reconnect = null)
    {
        var started = await StartFlowAsync(reconnect);
        var redirect = await Server!.AuthorizeAsUserAsync(new Uri(started.AuthorizeUrl), TestContext.Current.CancellationToken);
        using var page = await CallbackAsync(redirect.Query);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(page.IsSuccessStatusCode, html);
        return (await Host.Grains.GetGrain<IOAuthFlowGrain>(started.State).GetViewAsync()).AccountId!;
    }

    public async Task RestartAsync()
    {
        await Host.DisposeAsync();
        await StartHostAsync();
    }

    /// <summary>Starts the Host again on the same store (after the test disposed it), optionally adjusting the builder.</summary>
    public async Task StartHostAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
        => Host = await RunningHost.StartAsync(Settings, configure);

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();  // idempotent: a test may have stopped it already
        await _server.DisposeAsync();
        _storage.Dispose();
    }
}

using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Accounts.Orleans.Testing;

/// <summary>
/// The real Host on a fresh store with the apps and clock its <see cref="TestHostBuilder"/> asked for; the test plays
/// the workflow engine, the operator and the person's browser. It can be stopped and started again on the same store.
/// </summary>
public sealed class TestHost : IAsyncDisposable
{
    public const string Workspace = "ws_acme";
    public const string Key = "lk_0123456789abcdef0123";
    public const string OAuthSlug = "loopback_oauth";
    public const string OAuthClientId = "accounts-test-client";
    public const string OAuthClientSecret = "accounts-test-secret";
    public const string RedirectUri = "http://127.0.0.1/oauth/callback";

    private readonly TestStorage _storage;
    private readonly IReadOnlyList<IAsyncDisposable> _resources;
    private readonly IAsyncDisposable? _oauthServer;
    private readonly Action<WebApplicationBuilder>? _configure;
    private RunningHost? _host;
    private int _disposed;

    internal TestHost(TestStorage storage, Dictionary<string, string?> settings, LoopbackKeyApp? keyApp, IAsyncDisposable? oauthServer,
        FakeTimeProvider? time, Action<WebApplicationBuilder>? configure, IReadOnlyList<IAsyncDisposable> resources)
    {
        _configure = configure;
        _storage = storage;
        Settings = settings;
        KeyApp = keyApp;
        _oauthServer = oauthServer;
        Time = time;
        _resources = resources;
    }

    /// <summary>A Host on a fresh SQLite store.</summary>
    public static TestHostBuilder Sqlite() => new(StorageEngine.Sqlite, null);

    /// <summary>A Host on a fresh store of <paramref name="engine"/> (a new database of <paramref name="postgres"/> for PostgreSQL).</summary>
    public static TestHostBuilder On(StorageEngine engine, PostgresServer postgres) => new(engine, postgres);

    public RunningHost Host => _host ?? throw new InvalidOperationException("The Host is stopped.");

    public IGrainFactory Grains => Host.Grains;

    public HttpClient Http => Host.Http;

    public IServiceProvider Services => Host.Services;

    public Task<T> GetJsonAsync<T>(string path) => Host.GetJsonAsync<T>(path);

    /// <summary>Connects an Orleans client to the Host's gateway, as a workflow engine does.</summary>
    public Task<ExternalClient> ConnectClientAsync() => Host.ConnectClientAsync();

    /// <summary>Connects an Orleans client with the cluster's client certificate and <paramref name="apiKey"/> (null: none).</summary>
    public Task<ExternalClient> ConnectClientAsync(string? apiKey) => Host.ConnectClientAsync(Host.ClientTls, apiKey, TestContext.Current.CancellationToken);

    /// <summary>The settings the Host runs with; a test may change them before <see cref="StartHostAsync"/>.</summary>
    public Dictionary<string, string?> Settings { get; }

    public StorageOptions Storage => _storage.Options;

    public LoopbackKeyApp? KeyApp { get; }

    public LoopbackAuthorizationServer? Server => _oauthServer as LoopbackAuthorizationServer;

    public FakeTokenEndpoint? Fake => _oauthServer as FakeTokenEndpoint;

    /// <summary>The service's clock, when the test moves it.</summary>
    public FakeTimeProvider? Time { get; }

    public IAccountConnectorGrain Connector => Grains.GetGrain<IAccountConnectorGrain>(0);

    public IAccountDirectoryGrain Directory => Grains.GetGrain<IAccountDirectoryGrain>(0);

    public IOAuthClientRegistryGrain Clients => Grains.GetGrain<IOAuthClientRegistryGrain>(0);

    public IConnectedAccountGrain Account(string id) => Grains.GetGrain<IConnectedAccountGrain>(id);

    /// <summary>For <see cref="TestHostBuilder.With"/>: no configured client for the OAuth app, so an operator must enter one.</summary>
    public static void WithoutConfiguredClient(Dictionary<string, string?> settings)
    {
        settings.Remove($"Accounts:OAuthClients:{OAuthSlug}:ClientId");
        settings.Remove($"Accounts:OAuthClients:{OAuthSlug}:ClientSecret");
    }

    /// <summary>Connects an account at the key app.</summary>
    public Task<AccountSummary> ConnectWithKeyAsync(string nickname = "Primary", string? key = null, string workspace = Workspace)
        => Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = workspace,
            AppSlug = LoopbackKeyApp.Slug,
            Nickname = nickname,
            Fields = new Dictionary<string, string> { ["api_key"] = key ?? KeyApp?.ValidKey ?? Key, ["region"] = "eu" },
            Actor = "ops@example.com",
        });

    /// <summary>The first page of a workspace's accounts.</summary>
    public async Task<IReadOnlyList<AccountSummary>> ListAsync(string workspace = Workspace)
        => (await Directory.ListAsync(new AccountQuery { WorkspaceId = workspace })).Items;

    public Task<OAuthStarted> StartFlowAsync(string? reconnect = null, string workspace = Workspace)
        => Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = workspace,
            AppSlug = OAuthSlug,
            Nickname = "Team account",
            Actor = "ops@example.com",
            ReconnectAccountId = reconnect,
        });

    /// <summary>The person's browser at this Host (start pages, the callback), over plain HTTP.</summary>
    public HostBrowser Browser => new(Http.BaseAddress!);

    /// <summary>
    /// The browser's last hop, from the browser that opened the flow named in <paramref name="query"/>: it carries the
    /// flow's binding cookie, made as the start page makes it. Tests of the start page itself go through <see cref="Browser"/>.
    /// </summary>
    public Task<HttpResponseMessage> CallbackAsync(string query)
    {
        var state = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query).GetValueOrDefault("state").ToString();
        var cookie = OAuthState.IsWellFormed(state)
            ? $"{Connections.OAuthBrowserBinding.CookieName(state)}={Uri.EscapeDataString(Services.GetRequiredService<Connections.OAuthBrowserBinding>().Tag(state))}"
            : null;
        return Browser.CallbackAsync(query, cookie);
    }

    /// <summary>Start, open the flow's page in a browser, consent at the authorization server, deliver the callback; the new account's id.</summary>
    public async Task<string> ConnectWithOAuthAsync(string? reconnect = null)
    {
        var server = Server ?? throw new InvalidOperationException("This Host has no authorization server; script the fake token endpoint instead.");
        var started = await StartFlowAsync(reconnect);
        var opened = await Browser.OpenFlowAsync(started);
        var redirect = await server.AuthorizeAsUserAsync(opened.AuthorizeUrl, TestContext.Current.CancellationToken);
        using var page = await Browser.CallbackAsync(redirect.Query, opened.Cookie);
        var html = await page.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        if (!page.IsSuccessStatusCode) throw new InvalidOperationException($"The callback page answered {(int)page.StatusCode}: {html}");
        return (await Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
    }

    public async Task FlushAuditAsync()
        => await Host.Services.GetRequiredService<Connections.Audit.AuditTrail>().FlushAsync(TestContext.Current.CancellationToken);

    /// <summary>A graceful stop and a start on the same store, key ring and clock.</summary>
    public async Task RestartAsync()
    {
        await StopHostAsync();
        await StartHostAsync();
    }

    /// <summary>A graceful stop (Ctrl+C); the store and the apps stay.</summary>
    public async Task StopHostAsync()
    {
        var host = Interlocked.Exchange(ref _host, null);
        if (host is not null) await host.DisposeAsync();
    }

    /// <summary>Starts the Host on the same store, optionally adjusting how it is built beyond what the builder asked for.</summary>
    public async Task StartHostAsync(Action<WebApplicationBuilder>? configure = null)
    {
        if (_host is not null) throw new InvalidOperationException("The Host is running.");
        _host = await RunningHost.StartAsync(Settings, builder =>
        {
            if (Time is not null) TestHostBuilder.UseTime(builder, Time);
            _configure?.Invoke(builder);
            configure?.Invoke(builder);
        });
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await StopHostAsync();
        foreach (var resource in _resources) await resource.DisposeAsync();
        _storage.Dispose();
    }
}

using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Tests.Storage;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>A Host on a fresh store of one engine, with a loopback key-based app in its catalog; restartable.</summary>
public sealed class KeyAccountsHost : IAsyncDisposable
{
    public const string Key = "lk_0123456789abcdef0123";
    public const string Workspace = "ws_acme";

    private readonly TestStorage _storage;
    private readonly Dictionary<string, string?> _settings;

    private KeyAccountsHost(TestStorage storage, LoopbackKeyApp app, Dictionary<string, string?> settings, RunningHost host)
    {
        _storage = storage;
        App = app;
        _settings = settings;
        Host = host;
    }

    public LoopbackKeyApp App { get; }

    public RunningHost Host { get; private set; }

    public StorageOptions Storage => _storage.Options;

    public Dictionary<string, string?> Settings => _settings;

    public IAccountConnectorGrain Connector => Host.Grains.GetGrain<IAccountConnectorGrain>(0);

    public IAccountDirectoryGrain Directory => Host.Grains.GetGrain<IAccountDirectoryGrain>(0);

    public IConnectedAccountGrain Account(string id) => Host.Grains.GetGrain<IConnectedAccountGrain>(id);

    public static async Task<KeyAccountsHost> StartAsync(StorageEngine engine, PostgresServer postgres,
        Action<Dictionary<string, string?>>? adjust = null, string validKey = Key)
    {
        var storage = await TestStorage.CreateAsync(engine, postgres);
        var app = await LoopbackKeyApp.StartAsync(validKey);
        var settings = new Dictionary<string, string?>(storage.HostSettings);
        app.AddTo(settings);
        adjust?.Invoke(settings);
        return new KeyAccountsHost(storage, app, settings, await RunningHost.StartAsync(settings));
    }

    public Task<AccountSummary> ConnectAsync(string nickname = "Primary", string? key = null, string workspace = Workspace)
        => Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = workspace,
            AppSlug = LoopbackKeyApp.Slug,
            Nickname = nickname,
            Fields = new Dictionary<string, string> { ["api_key"] = key ?? Key, ["region"] = "eu" },
            Actor = "ops@example.com",
        });

    public async Task FlushAuditAsync() => await Host.Services.GetRequiredService<AuditTrail>().FlushAsync(TestContext.Current.CancellationToken);

    /// <summary>A full stop and start of the Host on the same store and key ring.</summary>
    public async Task RestartAsync()
    {
        await DisposeHostAsync();
        await StartHostAsync();
    }

    public async Task DisposeHostAsync()
    {
        if (_running) await Host.DisposeAsync();
        _running = false;
    }

    public async Task StartHostAsync(Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        Host = await RunningHost.StartAsync(_settings, configure);
        _running = true;
    }

    private bool _running = true;

    public async ValueTask DisposeAsync()
    {
        await DisposeHostAsync();
        await App.DisposeAsync();
        _storage.Dispose();
    }
}

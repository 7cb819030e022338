using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>An embedded Host whose catalog has a key-based app served on loopback.</summary>
internal sealed class KeyAppHost : IAsyncDisposable
{
    private readonly TempDirectory _data;

    private KeyAppHost(TempDirectory data, LoopbackKeyApp app, RunningHost host)
    {
        _data = data;
        App = app;
        Host = host;
    }

    public RunningHost Host { get; }

    /// <summary>The app the catalog points at; a test can make it slow.</summary>
    public LoopbackKeyApp App { get; }

    public static async Task<KeyAppHost> StartAsync(string validKey, Action<Dictionary<string, string?>>? adjust = null)
    {
        var data = new TempDirectory();
        var app = await LoopbackKeyApp.StartAsync(validKey);
        var settings = RunningHost.Sqlite(data.Path);
        app.AddTo(settings);
        adjust?.Invoke(settings);
        return new KeyAppHost(data, app, await RunningHost.StartAsync(settings));
    }

    public Task<AccountSummary> ConnectAsync(string nickname, string workspace) =>
        Host.Grains.GetGrain<IAccountConnectorGrain>(0).ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = workspace, AppSlug = LoopbackKeyApp.Slug, Nickname = nickname,
            Fields = new Dictionary<string, string> { ["api_key"] = App.ValidKey }, Actor = "test",
        });

    public async Task<IReadOnlyList<AccountSummary>> ListAsync(string workspace) =>
        (await Host.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery { WorkspaceId = workspace })).Items;

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await App.DisposeAsync();
        _data.Dispose();
    }
}

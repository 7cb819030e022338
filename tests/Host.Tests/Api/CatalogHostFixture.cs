using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Api;

/// <summary>One embedded Host for read-only catalog tests, with an OAuth client configured for Slack.</summary>
public sealed class CatalogHostFixture : IAsyncLifetime
{
    public const string SlackClientSecret = "slack-secret-5b1e0c7d-canary";

    private readonly TempDirectory _data = new();

    public RunningHost Host { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var settings = RunningHost.Sqlite(_data.Path);
        settings["Accounts:OAuthClients:slack:ClientId"] = "1234.5678";
        settings["Accounts:OAuthClients:slack:ClientSecret"] = SlackClientSecret;
        Host = await RunningHost.StartAsync(settings);
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        _data.Dispose();
    }
}

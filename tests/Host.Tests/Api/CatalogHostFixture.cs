using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Api;

/// <summary>One embedded Host for read-only catalog tests, with an OAuth client configured for Slack.</summary>
public sealed class CatalogHostFixture : IAsyncLifetime
{
    public const string SlackClientSecret = "slack-secret-5b1e0c7d-canary";

    private TestHost _host = null!;

    public RunningHost Host => _host.Host;

    public async ValueTask InitializeAsync()
        => _host = await TestHost.Sqlite().With(settings =>
        {
            settings["Accounts:OAuthClients:slack:ClientId"] = "1234.5678";
            settings["Accounts:OAuthClients:slack:ClientSecret"] = SlackClientSecret;
        }).StartAsync();

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}

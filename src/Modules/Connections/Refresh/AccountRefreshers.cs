using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Connections.Tokens;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>Makes the <see cref="AccountRefresher"/> of an account's activation with the services every refresher shares.</summary>
public sealed class AccountRefreshers(IGrainFactory grains, TokenClient tokens, OAuthClients clients, ConnectionsTelemetry telemetry, [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    IOptions<ConnectionsOptions> options, ILogger<AccountRefresher> logger)
{
    public AccountRefresher For(string id, AccountStore store, Func<Task<AppDefinition>> app)
        => new(id, store, app, slug => grains.GetGrain<IAppTokenBudgetGrain>(slug), tokens, clients, telemetry, time, options.Value.DefaultRefreshMargin,
            options.Value.RecoveryQuietPeriod, logger);
}

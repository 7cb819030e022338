using System.Net;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.Keys;
using Accounts.Orleans.Connections.OAuth;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Accounts.Orleans.Connections;

public static class ConnectionsModule
{
    /// <summary>Connected accounts: the account grains, key connect, OAuth flows, the account index and the audit trail.</summary>
    /// <param name="defaultRedirectUri">The OAuth callback when <c>Accounts:Connections:RedirectUri</c> is not set: the Host's own.</param>
    public static IServiceCollection AddConnections(this IServiceCollection services, IConfiguration configuration, string defaultRedirectUri)
    {
        services.AddOptions<ConnectionsOptions>().Bind(configuration.GetSection(ConnectionsOptions.Section))
            .PostConfigure(o =>
            {
                o.RedirectUri ??= defaultRedirectUri;
                // Beside the callback, which is the public address an operator sets behind a proxy.
                if (o.ConnectPageUrl is null && Uri.TryCreate(o.RedirectUri, UriKind.Absolute, out var callback)) o.ConnectPageUrl = new Uri(callback, "/connect").ToString();
            }).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConnectionsOptions>, ConnectionsOptionsValidator>();
        services.AddSingleton<global::Accounts.Orleans.Vault.ISealedSecrets, SealedConnections>();
        services.AddOptions<OAuthClientsOptions>().Bind(configuration.GetSection(OAuthClientsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<OAuthClientsOptions>, OAuthClientsOptionsValidator>();
        services.AddSchemaMigrations("connections", typeof(ConnectionsModule).Assembly);
        services.AddSingleton<AccountIndex>();
        services.AddSingleton<AuditTrail>();
        services.AddSingleton<IAuditLog>(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService(sp => sp.GetRequiredService<AuditTrail>());
        services.AddHostedService<Refresh.RefreshSweepService>();
        services.AddSingleton<ExpiredFlowPurge>();
        services.AddHostedService(sp => sp.GetRequiredService<ExpiredFlowPurge>());
        services.AddSingleton<ClientSecretWatch>();
        services.AddHostedService(sp => sp.GetRequiredService<ClientSecretWatch>());
        services.AddSingleton<Accounts.CredentialSeal>();
        services.AddSingleton<Accounts.AccountStores>();
        services.AddSingleton<Refresh.AccountRefreshers>();
        services.AddSingleton<OAuthClients>();
        services.AddSingleton<OAuthBrowserBinding>();
        services.AddSingleton<KeyVerifier>();
        services.AddSingleton<Proxy.ProxyExchange>();
        services.AddSingleton<Webhooks.EventOutbox>();
        services.AddSingleton<Webhooks.WebhookEndpointTable>();
        services.AddSingleton<Webhooks.WebhookDeliveryTable>();
        services.AddSingleton<Webhooks.WebhookSecrets>();
        services.AddSingleton<Webhooks.WebhookSender>();
        services.AddHostedService<Webhooks.WebhookDispatcher>();
        services.AddSingleton<Tokens.TokenClient>();
        services.AddSingleton<ConnectionsTelemetry>();
        services.AddMetrics();
        services.AddServiceClock();
        // The default handlers log every request URL, and some apps take keys in the query string.
        services.AddHttpClient(KeyVerifier.HttpClientName).RemoveAllLoggers().ConfigurePrimaryHttpMessageHandler(OutboundHandler);
        // Webhook URLs are typed by API callers: the same address policy keeps them off internal services.
        services.AddHttpClient(Webhooks.WebhookSender.HttpClientName).RemoveAllLoggers().ConfigurePrimaryHttpMessageHandler(OutboundHandler);
        return services;
    }

    private static SocketsHttpHandler OutboundHandler(IServiceProvider provider)
    {
        var settings = provider.GetRequiredService<IOptions<ConnectionsOptions>>().Value;
        var addresses = new Outbound.OutboundAddressPolicy(settings.AllowLoopbackHttp, settings.AllowPrivateNetworks);
        return new SocketsHttpHandler
        {
            // A credential must never follow a redirect to a host the catalog did not name.
            AllowAutoRedirect = false,
            // A proxy from the environment (HTTPS_PROXY) would be the only address the policy sees, and would
            // then reach any target for us: calls go direct, so the policy judges the app's own address.
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = addresses.ConnectAsync,
        };
    }
}

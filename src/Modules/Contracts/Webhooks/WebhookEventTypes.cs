namespace Accounts.Orleans.Contracts.Webhooks;

/// <summary>The events a workspace's webhook endpoints can receive; an endpoint subscribes to some or all of them.</summary>
public static class WebhookEventTypes
{
    /// <summary>A new account was connected (OAuth consent or keys).</summary>
    public const string AccountConnected = "account.connected";

    /// <summary>An account was connected again, keeping its id and links.</summary>
    public const string AccountReconnected = "account.reconnected";

    /// <summary>Refreshing or checking the account failed for a reason that may pass; workflows still get its last credentials.</summary>
    public const string AccountDegraded = "account.degraded";

    /// <summary>The app refused the account's grant or keys: a person must connect it again.</summary>
    public const string AccountNeedsReconnect = "account.needs_reconnect";

    /// <summary>A degraded account has worked again for the whole quiet period.</summary>
    public const string AccountRecovered = "account.recovered";

    public const string AccountDeleted = "account.deleted";

    /// <summary>A connect link produced an account.</summary>
    public const string ConnectSessionCompleted = "connect_session.completed";

    /// <summary>A consent started from a connect link was denied or failed; the link stays usable until it expires.</summary>
    public const string ConnectSessionFailed = "connect_session.failed";

    /// <summary>The OAuth client secret of an app this workspace has accounts of expires within 30 days, then within 7.</summary>
    public const string OAuthClientExpiring = "oauth_client.expiring";

    /// <summary>Sent on request to check an endpoint; never sent otherwise.</summary>
    public const string Ping = "webhook.ping";

    public static IReadOnlyList<string> All { get; } =
    [
        AccountConnected, AccountReconnected, AccountDegraded, AccountNeedsReconnect, AccountRecovered, AccountDeleted,
        ConnectSessionCompleted, ConnectSessionFailed, OAuthClientExpiring, Ping,
    ];

    public static bool IsKnown(string type) => All.Contains(type, StringComparer.Ordinal);
}

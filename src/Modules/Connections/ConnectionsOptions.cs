namespace Accounts.Orleans.Connections;

/// <summary><c>Accounts:Connections</c> configuration.</summary>
public sealed class ConnectionsOptions
{
    public const string Section = "Accounts:Connections";

    /// <summary>Allows plain-http loopback endpoints for calls that carry credentials; for tests against local servers only.</summary>
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>
    /// Lets key verification and token calls reach private-network addresses (10.x, 192.168.x, …), for apps
    /// self-hosted inside the operator's network. Off by default: a user-typed host must not reach internal services.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long a call to an app (key verification, token endpoint) may take; well under the grain call timeout.</summary>
    public TimeSpan OutboundTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The callback address registered at every app (<c>https://accounts.example.com/oauth/callback</c>). The Host
    /// derives it from its own URL when it is not set.
    /// </summary>
    public string? RedirectUri { get; set; }

    /// <summary>How long a person has to finish consent at the app.</summary>
    public TimeSpan FlowLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a finished or abandoned authorization is kept after its last change: long enough for whoever started
    /// it to read the outcome and for a replayed callback to be told it was used, then it is deleted.
    /// </summary>
    public TimeSpan FlowRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often each silo deletes authorizations past their retention.</summary>
    public TimeSpan FlowPurgeInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the cluster looks for tokens that expire soon.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How many accounts the sweeper refreshes at once.</summary>
    public int SweepConcurrency { get; set; } = 8;

    /// <summary>Refresh this long before expiry unless the app says otherwise.</summary>
    public TimeSpan DefaultRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);
}

namespace Accounts.Orleans.Connections;

/// <summary><c>Accounts:Connections</c> configuration.</summary>
public sealed class ConnectionsOptions
{
    public const string Section = "Accounts:Connections";

    /// <summary>Allows plain-http loopback endpoints for calls that carry credentials; for tests against local servers only.</summary>
    public bool AllowLoopbackHttp { get; set; }

    /// <summary>How long a call to an app (key verification, token endpoint) may take; well under the grain call timeout.</summary>
    public TimeSpan OutboundTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

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

    /// <summary>
    /// The hosted connect page a session's link opens (<c>https://accounts.example.com/connect</c>). The Host derives it
    /// from its own URL when it is not set.
    /// </summary>
    public string? ConnectPageUrl { get; set; }

    /// <summary>
    /// Origins (<c>https://app.example.com</c>) a connect session may send the person back to when it ends. Empty: no
    /// session may name a redirect, so the page shows its own result.
    /// </summary>
    public List<string> ConnectRedirectOrigins { get; set; } = [];

    /// <summary>The most live accounts one workspace may hold; a connect past it is refused.</summary>
    public int MaxAccountsPerWorkspace { get; set; } = 10_000;

    /// <summary>The most OAuth consents one workspace may have started within a <see cref="FlowLifetime"/>.</summary>
    public int MaxPendingFlowsPerWorkspace { get; set; } = 500;

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

    /// <summary>After a "refresh now" fetched a token, further ones within this long return it instead of calling the app again.</summary>
    public TimeSpan ForcedRefreshCooldown { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an account's opened secrets may sit unused in its activation before they are dropped from memory (they
    /// are opened again from the sealed state at the next read). They are dropped after between one and two of these.
    /// </summary>
    public TimeSpan OpenedSecretsIdleTime { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a proxied call to an app may take, its answer passed on in full.</summary>
    public TimeSpan ProxyTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The largest answer the proxy passes on. A buffered call gets <c>ProxyFailedException</c> instead of a larger one; a
    /// streamed one (REST) stops at the cap with that failure, and the connection is cut, so no caller takes part of an
    /// answer for all of it.
    /// </summary>
    public int ProxyMaxResponseBytes { get; set; } = 5 * 1024 * 1024;

    /// <summary>Refresh this long before expiry unless the app says otherwise.</summary>
    public TimeSpan DefaultRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// How long credential reads go on while writing the audit trail fails; past it they fail closed
    /// (<c>AuditUnavailableException</c>) until a write succeeds. Reads in that window are kept in memory and stored later.
    /// </summary>
    public TimeSpan AuditOutageLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many audit events may wait in memory before credential reads fail closed.</summary>
    public int AuditBacklogLimit { get; set; } = 100_000;

    /// <summary>
    /// A degraded account recovers once it has worked and nothing has failed for this long, so an account that flaps
    /// announces one degraded and one recovered rather than one per failure.
    /// </summary>
    public TimeSpan RecoveryQuietPeriod { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How often a key-based account's keys are tried at the app with its test request (each account at a jittered time
    /// within it), so a revoked key shows before a workflow fails. Zero turns it off; apps without a test request are never checked.
    /// </summary>
    public TimeSpan KeyCheckInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>The most webhook endpoints one workspace may have.</summary>
    public int MaxWebhookEndpointsPerWorkspace { get; set; } = 20;

    /// <summary>How many times a webhook delivery is tried before it is dead (about a day and a half with the default schedule).</summary>
    public int WebhookMaxAttempts { get; set; } = 8;

    /// <summary>How long an endpoint has to answer a delivery.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many deliveries one silo sends to one endpoint at once.</summary>
    public int WebhookConcurrencyPerEndpoint { get; set; } = 4;

    /// <summary>How often each silo looks for due deliveries when nothing has woken it.</summary>
    public TimeSpan WebhookPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long delivered and dead deliveries and their events are kept.</summary>
    public TimeSpan WebhookRetention { get; set; } = TimeSpan.FromDays(7);
}

/// <summary>Refuses, at start, values that would only fail later (a sweep that never runs, a flow that has expired before it began).</summary>
internal sealed class ConnectionsOptionsValidator : IValidateOptions<ConnectionsOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionsOptions options)
    {
        var failures = new List<string>();
        void Within(string key, TimeSpan value, TimeSpan least, TimeSpan most)
        {
            if (value < least || value > most) failures.Add($"{ConnectionsOptions.Section}:{key} must be between {least:c} and {most:c} (it is {value:c}).");
        }
        // Calls to apps must end well inside the 30 s grain call that waits on them, retries included.
        Within(nameof(options.OutboundTimeout), options.OutboundTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(20));
        Within(nameof(options.FlowLifetime), options.FlowLifetime, TimeSpan.FromMilliseconds(1), TimeSpan.FromHours(4));
        Within(nameof(options.FlowRetention), options.FlowRetention, options.FlowLifetime, TimeSpan.FromDays(365));
        Within(nameof(options.FlowPurgeInterval), options.FlowPurgeInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Within(nameof(options.SweepInterval), options.SweepInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromDays(1));
        Within(nameof(options.DefaultRefreshMargin), options.DefaultRefreshMargin, TimeSpan.Zero, TimeSpan.FromHours(12));
        Within(nameof(options.ForcedRefreshCooldown), options.ForcedRefreshCooldown, TimeSpan.Zero, TimeSpan.FromHours(1));
        Within(nameof(options.OpenedSecretsIdleTime), options.OpenedSecretsIdleTime, TimeSpan.FromMilliseconds(100), TimeSpan.FromHours(1));
        Within(nameof(options.ProxyTimeout), options.ProxyTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(25));
        if (options.ProxyMaxResponseBytes is < 1024 or > 50 * 1024 * 1024)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.ProxyMaxResponseBytes)} must be between 1024 and 52428800 (it is {options.ProxyMaxResponseBytes}).");
        Within(nameof(options.RecoveryQuietPeriod), options.RecoveryQuietPeriod, TimeSpan.Zero, TimeSpan.FromDays(7));
        if (options.KeyCheckInterval != TimeSpan.Zero) Within(nameof(options.KeyCheckInterval), options.KeyCheckInterval, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        Within(nameof(options.WebhookTimeout), options.WebhookTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30));
        Within(nameof(options.WebhookPollInterval), options.WebhookPollInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(5));
        Within(nameof(options.WebhookRetention), options.WebhookRetention, TimeSpan.FromHours(1), TimeSpan.FromDays(365));
        if (options.MaxWebhookEndpointsPerWorkspace is < 1 or > 1000)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.MaxWebhookEndpointsPerWorkspace)} must be between 1 and 1000 (it is {options.MaxWebhookEndpointsPerWorkspace}).");
        if (options.WebhookMaxAttempts is < 1 or > 20)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.WebhookMaxAttempts)} must be between 1 and 20 (it is {options.WebhookMaxAttempts}).");
        if (options.WebhookConcurrencyPerEndpoint is < 1 or > 64)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.WebhookConcurrencyPerEndpoint)} must be between 1 and 64 (it is {options.WebhookConcurrencyPerEndpoint}).");
        Within(nameof(options.AuditOutageLimit), options.AuditOutageLimit, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        if (options.AuditBacklogLimit is < 1_000 or > 10_000_000)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.AuditBacklogLimit)} must be between 1000 and 10000000 (it is {options.AuditBacklogLimit}).");
        if (options.MaxAccountsPerWorkspace is < 1 or > 10_000_000)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.MaxAccountsPerWorkspace)} must be between 1 and 10000000 (it is {options.MaxAccountsPerWorkspace}).");
        if (options.MaxPendingFlowsPerWorkspace is < 1 or > 1_000_000)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.MaxPendingFlowsPerWorkspace)} must be between 1 and 1000000 (it is {options.MaxPendingFlowsPerWorkspace}).");
        if (options.SweepConcurrency is < 1 or > 256)
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.SweepConcurrency)} must be between 1 and 256 (it is {options.SweepConcurrency}).");
        if (options.RedirectUri is { } redirect
            && (!Uri.TryCreate(redirect, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(uri.Fragment)))
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.RedirectUri)} must be an absolute http(s) URL without a fragment (it is '{redirect}').");
        if (options.ConnectPageUrl is { } page && (!Uri.TryCreate(page, UriKind.Absolute, out var pageUri) || pageUri.Scheme is not ("https" or "http") || !string.IsNullOrEmpty(pageUri.Query + pageUri.Fragment)))
            failures.Add($"{ConnectionsOptions.Section}:{nameof(options.ConnectPageUrl)} must be an absolute http(s) URL without a query or fragment (it is '{page}').");
        foreach (var origin in options.ConnectRedirectOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var originUri) || originUri.Scheme is not ("https" or "http") || originUri.GetLeftPart(UriPartial.Authority) != origin.TrimEnd('/'))
                failures.Add($"{ConnectionsOptions.Section}:{nameof(options.ConnectRedirectOrigins)} must hold origins only, like https://app.example.com (one is '{origin}').");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Accounts.Orleans.Contracts.Telemetry;

namespace Accounts.Orleans.Connections;

/// <summary>Spans and instruments of the Connections module. Attributes name apps and accounts, never a credential.</summary>
public sealed class ConnectionsTelemetry
{
    public static readonly ActivitySource Source = new(TelemetryNames.ActivitySource);

    private readonly Counter<long> _credentialReads;
    private readonly Counter<long> _secretsOpened;
    private readonly Counter<long> _refreshes;
    private readonly Histogram<double> _refreshSeconds;
    private readonly Counter<long> _flows;
    private readonly Counter<long> _webhookAttempts;
    private IReadOnlyDictionary<string, long> _accountsByHealth = new Dictionary<string, long>();

    public ConnectionsTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(TelemetryNames.Meter);
        _credentialReads = meter.CreateCounter<long>("accounts.credentials.reads", "{read}", "Credential reads served to workflow steps");
        _secretsOpened = meter.CreateCounter<long>("accounts.credentials.opened", "{open}", "Account envelopes opened into memory (a warm account reuses what it opened until it sits idle)");
        _refreshes = meter.CreateCounter<long>("accounts.tokens.refreshes", "{refresh}", "Token refreshes by outcome");
        _refreshSeconds = meter.CreateHistogram<double>("accounts.tokens.refresh.duration", "s", "Time a refresh took, retries included");
        _flows = meter.CreateCounter<long>("accounts.oauth.flows", "{flow}", "OAuth flows by event (started, completed, failed)");
        _webhookAttempts = meter.CreateCounter<long>("accounts.webhooks.attempts", "{attempt}", "Webhook delivery attempts by outcome (delivered, failed)");
        // Counted from the index by the cluster's sweeper, so only the silo that runs it reports (no double counting).
        meter.CreateObservableGauge("accounts.accounts", () => Volatile.Read(ref _accountsByHealth)
            .Select(c => new Measurement<long>(c.Value, new KeyValuePair<string, object?>("health", c.Key))), "{account}", "Accounts by health");
    }

    public void AccountsCounted(IReadOnlyDictionary<string, long> byHealth) => Volatile.Write(ref _accountsByHealth, byHealth);

    public void CredentialRead(string app) => _credentialReads.Add(1, new KeyValuePair<string, object?>("app", app));

    public void SecretsOpened(string app) => _secretsOpened.Add(1, new KeyValuePair<string, object?>("app", app));

    public void Refreshed(string app, string outcome, TimeSpan took)
    {
        var tags = new TagList { { "app", app }, { "outcome", outcome } };
        _refreshes.Add(1, tags);
        _refreshSeconds.Record(took.TotalSeconds, tags);
    }

    public void WebhookAttempted(string outcome) => _webhookAttempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void Flow(string app, string @event) => _flows.Add(1, new TagList { { "app", app }, { "event", @event } });
}

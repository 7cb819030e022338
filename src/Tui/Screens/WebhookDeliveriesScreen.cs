using System.Globalization;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>Which deliveries the status filter shows; dead first, as the screen opens on the dead-letter list.</summary>
public enum DeliveryFilter { Dead, Pending, Delivered, Any }

/// <summary>
/// Webhook deliveries, newest first, by workspace, endpoint and status; it opens on the dead ones (every attempt failed),
/// where an operator sends an event again once its receiver is fixed.
/// </summary>
public sealed class WebhookDeliveriesScreen : SearchableListScreen<WebhookDelivery>
{
    private const int PageSize = 100;
    private readonly TextField _endpoint = new() { Width = 14 };
    private readonly DropDownList<DeliveryFilter> _status = new() { Width = 12 };
    /// <summary>Endpoint URLs by id, read with each page, so rows name where they went rather than an id.</summary>
    private IReadOnlyDictionary<string, string> _urls = new Dictionary<string, string>();

    public WebhookDeliveriesScreen(ConsoleSession session) : base(session, "Deliveries", "Workspace:", 12, 65)
    {
        AddFilter("Endpoint:", _endpoint);
        AddFilter("Status:", _status);
        _status.Value = DeliveryFilter.Dead;
        _status.ValueChanged += async (_, _) => await LoadAsync();
        Actions =
        [
            new(Key.F6, "Redeliver", "_Redeliver the event", RedeliverAsync),
            NextPageAction,
            PreviousPageAction,
        ];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    public DeliveryFilter StatusFilter
    {
        get => _status.Value ?? DeliveryFilter.Dead;
        set => _status.Value = value;
    }

    public string EndpointFilter
    {
        get => _endpoint.Text;
        set => _endpoint.Text = value;
    }

    protected override string ItemNoun => StatusFilter == DeliveryFilter.Dead ? "dead delivery" : "delivery";

    protected override string ItemsNoun => StatusFilter == DeliveryFilter.Dead ? "dead deliveries" : "deliveries";

    protected override string EmptyHint => StatusFilter == DeliveryFilter.Dead
        ? "No dead delivery: every event reached its endpoint or is still being tried."
        : "No delivery matches. F9 lists the endpoints, where F8 pings one.";

    private IWebhooksGrain Webhooks => Session.Grains.GetGrain<IWebhooksGrain>(0);

    protected override async Task<(IReadOnlyList<WebhookDelivery> Rows, string? Next)> QueryAsync(string? text, string? cursor)
    {
        var page = await Webhooks.ListDeliveriesAsync(new WebhookDeliveryQuery
        {
            WorkspaceId = text,
            EndpointId = string.IsNullOrWhiteSpace(_endpoint.Text) ? null : _endpoint.Text.Trim(),
            Status = StatusFilter switch
            {
                DeliveryFilter.Dead => WebhookDeliveryStatus.Dead,
                DeliveryFilter.Pending => WebhookDeliveryStatus.Pending,
                DeliveryFilter.Delivered => WebhookDeliveryStatus.Delivered,
                _ => null,
            },
            Limit = PageSize,
            Cursor = cursor,
        });
        try
        {
            _urls = (await Webhooks.ListEndpointsAsync(text)).ToDictionary(e => e.Id, e => e.Url, StringComparer.Ordinal);
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            // The deliveries are still worth showing; their rows name the endpoint by id.
            _urls = new Dictionary<string, string>();
        }
        return (page.Items, page.Next);
    }

    protected override Dictionary<string, Func<WebhookDelivery, object>> Columns()
    {
        var now = Session.Clock.GetUtcNow();
        return new()
        {
            ["Time"] = d => ListTime.Since(d.CreatedAt, now),
            ["Event"] = d => d.EventType,
            ["Workspace"] = d => d.WorkspaceId,
            ["Endpoint"] = d => Endpoint(d),
            ["Tries"] = d => d.Attempts.ToString(CultureInfo.InvariantCulture),
            ["Last"] = d => LastOutcome(d),
        };
    }

    protected override Task<string> DescribeAsync(WebhookDelivery delivery) => Task.FromResult(Describe(delivery, _urls.GetValueOrDefault(delivery.EndpointId)));

    internal static string Describe(WebhookDelivery d, string? url)
    {
        var lines = new List<string>
        {
            $"{d.EventType} to {url ?? d.EndpointId}",
            $"Delivery: {d.Id}",
            $"Event: {d.EventId} (the webhook-id header)",
            $"Workspace: {d.WorkspaceId}",
            $"Endpoint: {d.EndpointId}{(url is null ? " (deleted)" : "")}",
            $"Status: {d.Status.ToString().ToLowerInvariant()} after {d.Attempts} attempt(s)",
            $"Created: {Time(d.CreatedAt)}",
        };
        if (d.DeliveredAt is { } delivered) lines.Add($"Delivered: {Time(delivered)}");
        if (d.NextAttemptAt is { } next && d.Status == WebhookDeliveryStatus.Pending) lines.Add($"Next attempt: {Time(next)}");
        if (LastOutcome(d) is { Length: > 0 } last) lines.Add($"Last attempt: {last}");
        if (d.Status != WebhookDeliveryStatus.Pending) lines.Add("F6 sends it again.");
        return string.Join('\n', lines);
    }

    private string Endpoint(WebhookDelivery d) => _urls.GetValueOrDefault(d.EndpointId) ?? d.EndpointId;

    private static string LastOutcome(WebhookDelivery d) => (d.LastStatus, d.LastError) switch
    {
        ({ } status, { } error) => $"HTTP {status}: {error}",
        ({ } status, null) => $"HTTP {status}",
        (null, { } error) => error,
        _ => "",
    };

    /// <summary>Sends the selected event to its endpoint again, as a new series of attempts with the same event id.</summary>
    public async Task RedeliverAsync()
    {
        if (Selected is not { } delivery) return;
        try
        {
            var queued = await Webhooks.RedeliverAsync(delivery.WorkspaceId, delivery.Id);
            await ReloadAsync();
            var target = _urls.GetValueOrDefault(queued.EndpointId) ?? queued.EndpointId;
            await Session.Modals.TellAsync("Redeliver", queued.Status == WebhookDeliveryStatus.Pending
                ? $"{queued.EventType} to {target} is queued again; Status: Pending shows it until it goes out."
                : $"{queued.EventType} to {target} was sent again: {queued.Status.ToString().ToLowerInvariant()}.");
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Redeliver failed", ErrorText.Describe(e));
        }
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

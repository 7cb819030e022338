using System.Globalization;
using Accounts.Orleans.Contracts.Webhooks;
using Accounts.Orleans.Tui.Dialogs;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// Webhook endpoints across workspaces (or of one): add, rotate the signing secret, switch on and off, ping, delete.
/// A secret is shown once, in the dialog right after it is made; everywhere else only its last four characters.
/// </summary>
public sealed class WebhooksScreen : SearchableListScreen<WebhookEndpoint>
{
    /// <summary>How long a rotated-out secret keeps signing unless the operator says otherwise: a day to switch receivers.</summary>
    private const int DefaultOverlapHours = 24;

    public WebhooksScreen(ConsoleSession session) : base(session, "Webhooks", "Workspace:", 16, 60)
    {
        Actions =
        [
            new(Key.F6, "Add", "_Add an endpoint…", AddAsync),
            new(Key.F7, "Rotate", "_Rotate the signing secret…", RotateAsync),
            new(Key.F8, "Ping", "_Ping the endpoint", PingAsync),
            new(Key.T.WithCtrl, "On/off", "_Enable or disable", ToggleAsync),
            new(Key.Delete, "Delete", "_Delete…", DeleteAsync),
        ];
    }

    public override IReadOnlyList<ScreenAction> Actions { get; }

    protected override string ItemNoun => "endpoint";

    protected override string EmptyHint => "No webhook endpoint here. F6 adds one; F12 shows what was delivered.";

    private IWebhooksGrain Webhooks => Session.Grains.GetGrain<IWebhooksGrain>(0);

    /// <summary>The search box names a workspace; empty lists every workspace's endpoints (they come in one page).</summary>
    protected override async Task<(IReadOnlyList<WebhookEndpoint> Rows, string? Next)> QueryAsync(string? text, string? cursor) =>
        (await Webhooks.ListEndpointsAsync(text), null);

    protected override Dictionary<string, Func<WebhookEndpoint, object>> Columns()
    {
        var now = Session.Clock.GetUtcNow();
        return new()
        {
            ["Workspace"] = e => e.WorkspaceId,
            ["URL"] = e => e.Url,
            ["Events"] = e => EventsText(e.Events),
            ["On"] = e => e.Enabled ? "yes" : "no",
            ["Secret"] = e => Hint(e),
            ["Previous secret"] = e => e.PreviousSecretUntil is { } until && until > now ? $"until {ListTime.Until(until, now)}" : "",
        };
    }

    protected override Task<string> DescribeAsync(WebhookEndpoint endpoint) => Task.FromResult(Describe(endpoint, Session.Clock.GetUtcNow()));

    internal static string Describe(WebhookEndpoint e, DateTimeOffset now)
    {
        var lines = new List<string>
        {
            e.Url,
            $"Id: {e.Id}",
            $"Workspace: {e.WorkspaceId}",
            $"Enabled: {(e.Enabled ? "yes" : "no (events for it are not queued)")}",
            $"Events: {EventsText(e.Events)}",
            $"Signing secret: {Hint(e)} (shown in full once, when made or rotated)",
        };
        if (e.PreviousSecretUntil is { } until && until > now) lines.Add($"Previous secret still signs until {Time(until)}");
        if (e.Description is { } description) lines.Add($"Description: {description}");
        lines.Add($"Added: {Time(e.CreatedAt)}, changed: {Time(e.UpdatedAt)}");
        return string.Join('\n', lines);
    }

    internal static string EventsText(IReadOnlyList<string> events) => events.Count == 0 ? "all" : string.Join(", ", events);

    private static string Hint(WebhookEndpoint e) => $"…{e.SecretHint}";

    /// <summary>Adds an endpoint in the workspace the screen shows (if one), then shows its secret, the only time it can be.</summary>
    public async Task AddAsync()
    {
        using var dialog = new WebhookEndpointDialog(Session, string.IsNullOrWhiteSpace(SearchText) ? null : SearchText.Trim());
        await Session.Modals.RunAsync(dialog);
        if (dialog.Created is not { } created) return;
        await ReloadAsync();
        SelectWhere(e => e.Id == created.Endpoint.Id);
        using var secret = new SigningSecretDialog("Webhook endpoint added", created, null);
        await Session.Modals.RunAsync(secret);
    }

    /// <summary>A new secret; the old one keeps signing as well for the hours asked, so receivers can switch without a gap.</summary>
    public async Task RotateAsync()
    {
        if (Selected is not { } endpoint) return;
        WebhookEndpointCreated? rotated = null;
        using var dialog = new TextPromptDialog($"Rotate the secret of {endpoint.Url}",
            "Hours the current secret keeps signing too (0: it stops at once):", DefaultOverlapHours.ToString(CultureInfo.InvariantCulture), "Rotate",
            async text =>
            {
                // The cluster says how long an overlap may be; a number past any sensible one would not fit a TimeSpan.
                if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var hours) || hours > 1_000_000)
                    throw new InvalidDataException("Hours: a whole number, 0 or more.");
                rotated = await Webhooks.RotateSecretAsync(endpoint.WorkspaceId, endpoint.Id, TimeSpan.FromHours(hours));
                return true;
            });
        await Session.Modals.RunAsync(dialog);
        if (rotated is null) return;
        await ReloadAsync();
        var overlap = rotated.Endpoint.PreviousSecretUntil is { } until
            ? $"The previous secret (…{endpoint.SecretHint}) also signs until {Time(until)}."
            : $"The previous secret (…{endpoint.SecretHint}) no longer signs.";
        using var secret = new SigningSecretDialog("Signing secret rotated", rotated, overlap);
        await Session.Modals.RunAsync(secret);
    }

    /// <summary>Queues a webhook.ping for the selected endpoint alone; the deliveries screen shows how it went.</summary>
    public async Task PingAsync()
    {
        if (Selected is not { } endpoint) return;
        try
        {
            var eventId = await Webhooks.PingAsync(endpoint.WorkspaceId, endpoint.Id);
            await Session.Modals.TellAsync("Ping", $"Queued {WebhookEventTypes.Ping} ({eventId}) for {endpoint.Url}. F12 shows its delivery.");
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Ping failed", ErrorText.Describe(e));
        }
    }

    public async Task ToggleAsync()
    {
        if (Selected is not { } endpoint) return;
        try
        {
            await Webhooks.UpdateEndpointAsync(endpoint.WorkspaceId, endpoint.Id, new WebhookEndpointSpec
            {
                Url = endpoint.Url,
                Events = endpoint.Events,
                Description = endpoint.Description,
                Enabled = !endpoint.Enabled,
            });
            await ReloadAsync();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync(endpoint.Enabled ? "Disable failed" : "Enable failed", ErrorText.Describe(e));
        }
    }

    public async Task DeleteAsync()
    {
        if (Selected is not { } endpoint) return;
        var answer = await Session.Modals.ChooseAsync("Delete endpoint",
            $"Delete {endpoint.Url} of {endpoint.WorkspaceId}? Deliveries still waiting for it are dropped.", "Delete", "Cancel");
        if (answer != 0) return;
        try
        {
            await Webhooks.DeleteEndpointAsync(endpoint.WorkspaceId, endpoint.Id);
            await ReloadAsync();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            await Session.Modals.TellAsync("Delete failed", ErrorText.Describe(e));
        }
    }

    private static string Time(DateTimeOffset at) => at.ToLocalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}

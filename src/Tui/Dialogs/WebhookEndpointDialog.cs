using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// A new webhook endpoint of a workspace: where events go, which ones (a comma list; empty for all) and a note for
/// operators. The cluster checks every rule; its answer holds the signing secret, which the caller shows once.
/// </summary>
public sealed class WebhookEndpointDialog : ConsoleDialog
{
    private readonly TextField _workspace = new() { X = 14, Y = 1, Width = 20 };
    private readonly TextField _url = new() { X = 14, Y = 3, Width = Dim.Fill(1) };
    private readonly TextField _events = new() { X = 14, Y = 5, Width = Dim.Fill(1) };
    private readonly TextField _description = new() { X = 14, Y = 8, Width = Dim.Fill(1) };

    public WebhookEndpointDialog(ConsoleSession session, string? workspaceId) : base("Add a webhook endpoint")
    {
        ErrorRow = 9;
        _workspace.Text = workspaceId ?? "";
        Add(new Label { X = 1, Y = 1, Text = "Workspace:" }, _workspace,
            new Label { X = 1, Y = 3, Text = "URL:" }, _url,
            new Label { X = 1, Y = 5, Text = "Events:" }, _events,
            new Label { X = 14, Y = 6, Text = "(comma-separated, e.g. account.needs_reconnect; empty: all)", HotKeySpecifier = (System.Text.Rune)0xffff },
            new Label { X = 1, Y = 8, Text = "Description:" }, _description);
        AddAction("Add", async () =>
        {
            Created = await session.Grains.GetGrain<IWebhooksGrain>(0).CreateEndpointAsync(_workspace.Text.Trim(), new WebhookEndpointSpec
            {
                Url = _url.Text.Trim(),
                Events = EventList(_events.Text),
                Description = string.IsNullOrWhiteSpace(_description.Text) ? null : _description.Text.Trim(),
            });
            return true;
        });
        // With the workspace known (the screen's filter), the URL is what is left to type.
        if (_workspace.Text.Length > 0) _url.SetFocus();
        else _workspace.SetFocus();
    }

    /// <summary>The endpoint made, with its secret; null until the cluster accepted it.</summary>
    public WebhookEndpointCreated? Created { get; private set; }

    public void Fill(string workspaceId, string url, string events, string? description)
    {
        _workspace.Text = workspaceId;
        _url.Text = url;
        _events.Text = events;
        _description.Text = description ?? "";
    }

    /// <summary>The comma list as typed, blanks dropped; whether each is an event type is the cluster's call.</summary>
    internal static IReadOnlyList<string> EventList(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}

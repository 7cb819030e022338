using System.Globalization;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// Connecting an OAuth app: the authorize URL to open (copyable, and opened in a browser when there is one), then a
/// wait that ends by itself when the app's callback reaches the cluster and shows the new account.
/// </summary>
public sealed class OAuthConnectDialog : ConsoleDialog
{
    private readonly ConsoleSession _session;
    private readonly OAuthStartRequest _request;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _closed = new();
    private readonly Label _url = new() { X = 1, Y = 2, Width = Dim.Fill(1), Height = 5, HotKeySpecifier = (System.Text.Rune)0xffff };
    private readonly Label _state = new() { X = 1, Y = 8, Width = Dim.Fill(1), Height = 2, Text = "Starting…", HotKeySpecifier = (System.Text.Rune)0xffff };

    public OAuthConnectDialog(ConsoleSession session, AppDefinition app, string workspaceId, string nickname, string? reconnectAccountId, TimeSpan? pollInterval = null,
        IReadOnlyDictionary<string, string>? settings = null)
        : base(reconnectAccountId is null ? $"Connect {app.Name} ({workspaceId})" : $"Reconnect {nickname} ({app.Name})")
    {
        _session = session;
        _pollInterval = pollInterval ?? TimeSpan.FromSeconds(1);
        _request = new OAuthStartRequest
        {
            WorkspaceId = workspaceId,
            AppSlug = app.Slug,
            Nickname = nickname,
            Actor = session.Operator,
            ReconnectAccountId = reconnectAccountId,
            Settings = settings ?? new Dictionary<string, string>(),
        };
        ErrorRow = 10;
        Add(new Label { X = 1, Y = 1, Text = $"Open this address in a browser and approve access at {app.Name}:", HotKeySpecifier = (System.Text.Rune)0xffff }, _url, _state);
        var copy = new Button { Text = "Copy address" };
        copy.Accepting += (_, e) =>
        {
            e.Handled = true;
            if (Url is { } url) _state.Text = App?.Clipboard?.TrySetClipboardData(url) == true ? "Address copied." : "This terminal has no clipboard; select the address with the mouse.";
        };
        var open = new Button { Text = "Open browser" };
        open.Accepting += (_, e) =>
        {
            e.Handled = true;
            if (Url is { } url && !Browser.TryOpen(url)) _state.Text = "No browser on this machine: open the address on yours.";
        };
        AddButton(copy);
        AddButton(open);
        Finished = RunAsync();
    }

    /// <summary>Where to send the person (the Host's start page for the flow); null until the cluster started the flow.</summary>
    public string? Url { get; private set; }

    /// <summary>The account, once the callback completed the flow.</summary>
    public AccountSummary? Connected { get; private set; }

    /// <summary>Ends when the flow completed, failed or expired, or the dialog closed.</summary>
    public Task Finished { get; }

    public string StateText => _state.Text;

    private async Task RunAsync()
    {
        try
        {
            var started = await _session.Grains.GetGrain<IAccountConnectorGrain>(0).StartOAuthAsync(_request);
            Url = started.Url;
            _url.Text = started.Url;
            var opened = Browser.TryOpen(started.Url);
            _state.Text = $"{(opened ? "Opened in your browser. " : "")}Waiting for the app to call back (until {started.ExpiresAt.ToLocalTime().ToString("HH:mm", CultureInfo.InvariantCulture)})…";
            await WaitAsync(_session.Grains.OAuthFlow(started.State));
        }
        catch (OperationCanceledException) when (_closed.IsCancellationRequested)
        {
            // The operator closed the dialog; the flow expires on its own.
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            _state.Text = "";
            ShowError(ErrorText.Describe(e));
        }
    }

    private async Task WaitAsync(IOAuthFlowGrain flow)
    {
        while (true)
        {
            await Task.Delay(_pollInterval, _closed.Token);
            var view = await flow.GetViewAsync();
            switch (view.Status)
            {
                case OAuthFlowStatus.Completed when view.AccountId is { } accountId:
                    Connected = await _session.Grains.GetGrain<IConnectedAccountGrain>(accountId).GetAsync();
                    _state.Text = $"Connected: {Connected.Nickname} ({Connected.Id}){(view.Message is { } note ? " – " + note : "")}";
                    Complete();
                    return;
                case OAuthFlowStatus.Failed or OAuthFlowStatus.Expired or OAuthFlowStatus.Unknown:
                    _state.Text = "";
                    ShowError(view.Message ?? $"The authorization {view.Status.ToString().ToLowerInvariant()}; start again.");
                    return;
            }
        }
    }

    protected override void Dispose(bool disposing)
    {
        // Cancel only: the wait loop may still be between awaits and read the token.
        if (disposing) _closed.Cancel();
        base.Dispose(disposing);
    }
}

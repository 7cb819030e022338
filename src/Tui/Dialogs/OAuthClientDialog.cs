namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// The OAuth client registered at an app: its id and secret go to the cluster, which stores the secret encrypted.
/// The secret is never shown, not even masked: the field starts empty, and saving replaces the stored client whole.
/// </summary>
public sealed class OAuthClientDialog : ConsoleDialog
{
    private readonly TextField _clientId;
    private readonly TextField _secret;

    public OAuthClientDialog(ConsoleSession session, AppDefinition app, OAuthClientStatus? current, string callbackUrl) : base($"OAuth client for {app.Name}")
    {
        ErrorRow = 8;
        var state = current switch
        {
            null => $"No client yet. Register one at {app.Name}, then enter it here.",
            { Source: OAuthClientSource.Configuration } => "Set in the service's configuration, which wins over anything entered here.",
            _ => current.HasSecret ? "A secret is stored (encrypted); it is never shown." : "Stored without a secret (a public client).",
        };
        var stateLabel = new Label { X = 1, Y = 1, Width = Dim.Fill(1), Text = state, HotKeySpecifier = (System.Text.Rune)0xffff };
        // The app's developer console asks for it when the client is registered; a different one fails every consent.
        var callbackLabel = new Label { X = 1, Y = 3, Text = "Callback URL:" };
        var callback = new TextField { X = 16, Y = 3, Width = Dim.Fill(1), Text = callbackUrl, ReadOnly = true };
        var idLabel = new Label { X = 1, Y = 5, Text = "Client id:" };
        _clientId = new TextField { X = 16, Y = 5, Width = Dim.Fill(1), Text = current?.ClientId ?? "" };
        var secretLabel = new Label { X = 1, Y = 7, Text = "Client secret:" };
        _secret = new TextField { X = 16, Y = 7, Width = Dim.Fill(1), Secret = true };
        Add(stateLabel, callbackLabel, callback, idLabel, _clientId, secretLabel, _secret);

        if (current is { Source: OAuthClientSource.Stored })
        {
            var remove = new Button { Text = "Remove" };
            remove.Accepting += async (_, e) =>
            {
                e.Handled = true;
                try
                {
                    await session.Grains.GetGrain<IOAuthClientRegistryGrain>(0).RemoveAsync(app.Slug, session.Operator);
                    Complete();
                }
                catch (Exception ex) when (ErrorText.IsExpected(ex))
                {
                    OnError(ex);
                }
            };
            AddButton(remove);
        }
        AddAction("Save", async () =>
        {
            if (_secret.Text.Length == 0 && current is { Source: OAuthClientSource.Stored, HasSecret: true })
            {
                ShowError("Enter the client secret again: a saved client replaces the stored one whole.");
                return false;
            }
            await session.Grains.GetGrain<IOAuthClientRegistryGrain>(0).SetAsync(new OAuthClientRegistration
            {
                AppSlug = app.Slug,
                ClientId = _clientId.Text.Trim(),
                ClientSecret = _secret.Text.Length == 0 ? null : _secret.Text.Trim(),
                Actor = session.Operator,
            });
            return true;
        });
        _clientId.SetFocus();
    }

    public string ClientId
    {
        get => _clientId.Text;
        set => _clientId.Text = value;
    }

    public string Secret
    {
        set => _secret.Text = value;
    }
}

using Accounts.Orleans.Tui.Screens;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// The OAuth client registered at an app: its id and secrets go to the cluster, which stores the secrets encrypted.
/// A secret is never shown, not even masked: its field starts empty, and saving replaces the stored client whole. The
/// expiry dates are not secret, so they start filled in; the service warns 30 and 7 days before the current one.
/// </summary>
public sealed class OAuthClientDialog : ConsoleDialog
{
    private readonly TextField _clientId;
    private readonly TextField _secret;
    private readonly TextField _expires;
    private readonly TextField _nextSecret;
    private readonly TextField _nextExpires;

    public OAuthClientDialog(ConsoleSession session, AppDefinition app, OAuthClientStatus? current, string callbackUrl) : base($"OAuth client for {app.Name}")
    {
        ErrorRow = 13;
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
        // OAuth 1.0a names the same pair the consumer key and secret, as its apps' developer pages do.
        var idLabel = new Label { X = 1, Y = 5, Text = app.AuthType == AuthType.OAuth1 ? "Consumer key:" : "Client id:" };
        _clientId = new TextField { X = 16, Y = 5, Width = Dim.Fill(1), Text = current?.ClientId ?? "" };
        var secretLabel = new Label { X = 1, Y = 7, Text = app.AuthType == AuthType.OAuth1 ? "Secret:" : "Client secret:" };
        _secret = new TextField { X = 16, Y = 7, Width = Dim.Fill(1), Secret = true };
        var expiresLabel = new Label { X = 1, Y = 8, Text = "Expires:" };
        _expires = new TextField { X = 16, Y = 8, Width = 22, Text = ClientSecretText.Field(current?.SecretExpiresAt) };
        var expiresHint = new Label { X = 39, Y = 8, Text = "optional, 2027-01-05" };
        // While the app accepts both, a token call it refuses with one secret is tried with the other.
        var nextLabel = new Label { X = 1, Y = 10, Text = "Next secret:" };
        _nextSecret = new TextField { X = 16, Y = 10, Width = Dim.Fill(1), Secret = true };
        var nextExpiresLabel = new Label { X = 1, Y = 11, Text = "Next expires:" };
        _nextExpires = new TextField { X = 16, Y = 11, Width = 22, Text = ClientSecretText.Field(current?.NextSecretExpiresAt) };
        var nextHint = new Label { X = 39, Y = 11, Text = "optional, while rotating" };
        Add(stateLabel, callbackLabel, callback, idLabel, _clientId, secretLabel, _secret, expiresLabel, _expires, expiresHint,
            nextLabel, _nextSecret, nextExpiresLabel, _nextExpires, nextHint);

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
            if (!TryReadExpiry(_expires.Text, "Expires", out var expiresAt) || !TryReadExpiry(_nextExpires.Text, "Next expires", out var nextExpiresAt)) return false;
            await session.Grains.GetGrain<IOAuthClientRegistryGrain>(0).SetAsync(new OAuthClientRegistration
            {
                AppSlug = app.Slug,
                ClientId = _clientId.Text.Trim(),
                ClientSecret = _secret.Text.Length == 0 ? null : _secret.Text.Trim(),
                SecretExpiresAt = expiresAt,
                NextClientSecret = _nextSecret.Text.Length == 0 ? null : _nextSecret.Text.Trim(),
                NextSecretExpiresAt = nextExpiresAt,
                Actor = session.Operator,
            });
            return true;
        });
        _clientId.SetFocus();
    }

    private bool TryReadExpiry(string text, string field, out DateTimeOffset? expiresAt)
    {
        expiresAt = null;
        if (string.IsNullOrWhiteSpace(text)) return true;
        if (!ClientSecretExpiry.TryParse(text, out var at))
        {
            ShowError($"{field}: {ClientSecretExpiry.Rule}.");
            return false;
        }
        expiresAt = at;
        return true;
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

    public string ExpiresAt
    {
        get => _expires.Text;
        set => _expires.Text = value;
    }

    public string NextSecret
    {
        set => _nextSecret.Text = value;
    }
}

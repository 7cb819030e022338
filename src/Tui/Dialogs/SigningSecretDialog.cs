using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// A webhook endpoint's signing secret, the one time the cluster hands it out (when the endpoint is made or its secret
/// rotated). It sits in a read-only field, selected, so Ctrl+C copies it; closing the dialog is the last chance.
/// </summary>
public sealed class SigningSecretDialog : Dialog
{
    public SigningSecretDialog(string title, WebhookEndpointCreated created, string? previousSecretNote)
    {
        // Titles carry workspace ids with '_', which would otherwise turn into hotkey markers.
        HotKeySpecifier = (System.Text.Rune)0xffff;
        Title = title;
        Width = 78;
        var intro = new Label
        {
            X = 1, Y = 1, Width = Dim.Fill(1), HotKeySpecifier = (System.Text.Rune)0xffff,
            Text = $"Signing secret of {created.Endpoint.Url} ({created.Endpoint.WorkspaceId}):",
        };
        var secret = new TextField { X = 1, Y = 3, Width = Dim.Fill(1), Text = created.Secret, ReadOnly = true };
        var warning = new Label
        {
            X = 1, Y = 5, Width = Dim.Fill(1), Height = 2, HotKeySpecifier = (System.Text.Rune)0xffff,
            Text = "It will not be shown again: copy it (Ctrl+C) to the receiver now.\n"
                + (previousSecretNote ?? "Receivers check the webhook-signature header with it."),
        };
        Add(intro, secret, warning);
        AddButton(new Button { Text = "Done", IsDefault = true });
        Height = 14;
        secret.SetFocus();
        secret.SelectAll();
    }
}

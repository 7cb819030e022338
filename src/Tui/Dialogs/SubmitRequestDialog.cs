namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>Asks for an app the catalog lacks; a request for an app already asked for folds into it as a vote.</summary>
public sealed class SubmitRequestDialog : ConsoleDialog
{
    private readonly TextField _name = new() { X = 14, Y = 1, Width = Dim.Fill(1) };
    private readonly TextField _url = new() { X = 14, Y = 3, Width = Dim.Fill(1) };
    private readonly TextField _reason = new() { X = 14, Y = 5, Width = Dim.Fill(1) };

    public SubmitRequestDialog(ConsoleSession session) : base("Request a new app")
    {
        ErrorRow = 6;
        Add(new Label { X = 1, Y = 1, Text = "App name:" }, _name,
            new Label { X = 1, Y = 3, Text = "Web address:" }, _url,
            new Label { X = 1, Y = 5, Text = "Why:" }, _reason);
        AddAction("Submit", async () =>
        {
            Outcome = await session.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).SubmitRequestAsync(
                new AppRequestSubmission(_name.Text.Trim(), NullIfBlank(_url.Text), NullIfBlank(_reason.Text), session.Operator));
            return true;
        });
        _name.SetFocus();
    }

    public AppRequestOutcome? Outcome { get; private set; }

    public void Fill(string name, string? url, string? reason)
    {
        _name.Text = name;
        _url.Text = url ?? "";
        _reason.Text = reason ?? "";
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

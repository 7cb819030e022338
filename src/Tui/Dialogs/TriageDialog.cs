namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>An operator's decision on a request: planned, shipped (naming the catalog app) or declined, with a note.</summary>
public sealed class TriageDialog : ConsoleDialog
{
    private readonly OptionSelector<AppRequestStatus> _status = new() { X = 15, Y = 1 };
    private readonly TextField _slug = new() { X = 15, Y = 6, Width = Dim.Fill(1) };
    private readonly TextField _note = new() { X = 15, Y = 8, Width = Dim.Fill(1) };

    public TriageDialog(ConsoleSession session, AppRequest request) : base($"Triage: {request.Name}")
    {
        ErrorRow = 9;
        _slug.Text = request.ShippedSlug ?? "";
        Add(new Label { X = 1, Y = 1, Text = "Decision:" }, _status,
            new Label { X = 1, Y = 6, Text = "Catalog slug:" }, _slug,
            new Label { X = 15, Y = 7, Text = "(for shipped: the app that now serves the request)" },
            new Label { X = 1, Y = 8, Text = "Note:" }, _note);
        AddAction("Save", async () =>
        {
            var status = _status.Value ?? AppRequestStatus.Planned;
            Decided = await session.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey).TriageRequestAsync(
                request.Id, status, status == AppRequestStatus.Shipped ? NullIfBlank(_slug.Text) : null, session.Operator, NullIfBlank(_note.Text));
            return true;
        });
        // Tab goes on to the slug and the note; the arrows choose, as in any group of options.
        _status.TabBehavior = TabBehavior.NoStop;
        _status.KeyDown += (_, key) =>
        {
            var step = key == Key.CursorDown ? 1 : key == Key.CursorUp ? -1 : 0;
            if (step == 0) return;
            key.Handled = true;
            var options = Enum.GetValues<AppRequestStatus>();
            Choose(options[Math.Clamp(Array.IndexOf(options, _status.Value ?? AppRequestStatus.Planned) + step, 0, options.Length - 1)]);
        };
        _status.SetFocus();
        Choose(request.Status == AppRequestStatus.Open ? AppRequestStatus.Planned : request.Status);
    }

    public AppRequest? Decided { get; private set; }

    public void Decide(AppRequestStatus status, string? slug, string? note)
    {
        Choose(status);
        _slug.Text = slug ?? "";
        _note.Text = note ?? "";
    }

    /// <summary>
    /// Enter in the selector selects the option under its cursor before saving, so the cursor has to sit on the
    /// chosen option; otherwise Enter saves the first one ("Open") instead of what the dialog shows as chosen.
    /// </summary>
    private void Choose(AppRequestStatus status)
    {
        _status.Value = status;
        _status.FocusedItem = Array.IndexOf(Enum.GetValues<AppRequestStatus>(), status);
    }

    private static string? NullIfBlank(string text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

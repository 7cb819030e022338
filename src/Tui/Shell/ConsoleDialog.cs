using Terminal.Gui.Drawing;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>
/// A dialog whose main button calls the cluster: the call runs without blocking the UI, an error shows inside the
/// dialog (the operator fixes the input and tries again), success closes it. Esc or Cancel closes it unchanged.
/// </summary>
public abstract class ConsoleDialog : Dialog
{
    private readonly Label _error;
    private static readonly Scheme ErrorScheme = new(new Terminal.Gui.Drawing.Attribute(ColorName16.BrightRed, ColorName16.Black));
    private readonly Button _cancel = new() { Text = "Cancel" };
    private Button? _action;
    private string _progress = "Working…";
    private Func<Task<bool>>? _work;
    private Task _pending = Task.CompletedTask;

    protected ConsoleDialog(string title, int width = 76)
    {
        // Titles carry workspace ids and nicknames with '_', which would otherwise turn into hotkey markers.
        HotKeySpecifier = (System.Text.Rune)0xffff;
        Title = title;
        Width = Math.Min(width, 78);
        _error = new Label
        {
            X = 1,
            Y = 1,
            Width = Dim.Fill(1),
            Height = 1,
            Text = "",
            HotKeySpecifier = (System.Text.Rune)0xffff,
        };
        Add(_error);
        AddButton(_cancel);
    }

    /// <summary>
    /// The row of the error line, just under the dialog's content; the dialog grows to fit it and the buttons
    /// (the border, the padding and the buttons with their shadow take six rows besides the content).
    /// </summary>
    protected int ErrorRow
    {
        set
        {
            _error.Y = value;
            Height = value + 7;
        }
    }

    /// <summary>True once the main action succeeded and the dialog closed itself.</summary>
    public bool Succeeded { get; private set; }

    /// <summary>The main action in flight, if any; headless tests await it.</summary>
    public Task Settled => _pending;

    /// <summary>The error line's text (empty when none).</summary>
    public string Error => _error.Text;

    /// <summary>
    /// Adds the main button; <paramref name="work"/> returns true to close the dialog. While it runs, the error line
    /// says <paramref name="progress"/>, so a slow app is not taken for a frozen console.
    /// </summary>
    protected Button AddAction(string text, Func<Task<bool>> work, string progress = "Working…")
    {
        _work = work;
        _progress = progress;
        _action = new Button { Text = text, IsDefault = true };
        AddButton(_action);
        return _action;
    }

    /// <summary>
    /// Enter anywhere in the form, or the main button, runs the main action, and only its success closes the dialog
    /// (a Dialog would otherwise close on any accept, hiding the error the operator needs to see). Cancel closes;
    /// other buttons do their own thing and leave the dialog open.
    /// </summary>
    protected override bool OnAccepting(CommandEventArgs args)
    {
        var source = args.Context?.Source is { } weak && weak.TryGetTarget(out var view) ? view : null;
        if (source == _cancel || _work is null) return base.OnAccepting(args);
        args.Handled = true;
        if ((source is not Button || source == _action) && _pending.IsCompleted) _pending = RunAsync(_work);
        return true;
    }

    protected void ShowError(string message)
    {
        _error.Text = message.Replace('\n', ' ');
        _error.SetScheme(ErrorScheme);
    }

    protected void ClearError() => _error.Text = "";

    /// <summary>Closes the dialog as a success (for dialogs whose success is not the button, e.g. a callback arriving).</summary>
    protected void Complete()
    {
        Succeeded = true;
        App?.RequestStop(this);
    }

    private async Task RunAsync(Func<Task<bool>> work)
    {
        _error.Text = _progress;
        _error.SetScheme(null);
        try
        {
            if (await work()) Complete();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            OnError(e);
        }
        finally
        {
            if (_error.Text == _progress) ClearError();
        }
    }

    /// <summary>Shows a failed call; dialogs with per-field errors place them next to their fields.</summary>
    protected virtual void OnError(Exception e) => ShowError(ErrorText.Describe(e));
}

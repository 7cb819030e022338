namespace Accounts.Orleans.Tui.Shell;

/// <summary>A key the active screen answers to, listed in the status bar and the menu.</summary>
public sealed record ScreenAction(Key Key, string Label, string MenuText, Func<Task> Run);

/// <summary>One screen of the console (accounts, apps, requests, cluster): its actions and how it reloads.</summary>
public abstract class ConsoleScreen : View
{
    protected ConsoleScreen(ConsoleSession session, string name)
    {
        Session = session;
        Name = name;
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;
    }

    protected ConsoleSession Session { get; }

    public string Name { get; }

    public abstract IReadOnlyList<ScreenAction> Actions { get; }

    /// <summary>Reads the screen's data again; cluster errors land on the screen's status line, not in an exception.</summary>
    public abstract Task LoadAsync();

    /// <summary>Puts the cursor where an operator starts on this screen (the search box of a list).</summary>
    public virtual void FocusStart() => SetFocus();
}

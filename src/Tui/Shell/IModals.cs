using Terminal.Gui.App;

namespace Accounts.Orleans.Tui.Shell;

/// <summary>
/// How screens open dialogs and ask questions. The terminal runs them modally; tests drive the same dialog views
/// headless, one script per dialog.
/// </summary>
public interface IModals
{
    /// <summary>Shows the dialog until it closes.</summary>
    Task RunAsync(Dialog dialog);

    /// <summary>
    /// Asks a question; the index of the chosen answer, or null when the operator pressed Esc. The last answer is the
    /// one Enter chooses, so a question about something that cannot be undone ends with the answer that keeps it.
    /// </summary>
    Task<int?> ChooseAsync(string title, string message, params string[] answers);

    /// <summary>Tells the operator something (an error, a result) and waits until they have read it.</summary>
    Task TellAsync(string title, string message);
}

/// <summary>Modal dialogs in the running terminal application.</summary>
public sealed class TerminalModals(IApplication app) : IModals
{
    public Task RunAsync(Dialog dialog)
    {
        app.Run(dialog);
        return Task.CompletedTask;
    }

    public Task<int?> ChooseAsync(string title, string message, params string[] answers) =>
        Task.FromResult(MessageBox.Query(app, title, message, answers));

    public Task TellAsync(string title, string message)
    {
        MessageBox.Query(app, title, message, "OK");
        return Task.CompletedTask;
    }
}

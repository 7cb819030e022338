using Accounts.Orleans.Tui.Shell;
using Terminal.Gui.App;
using Terminal.Gui.Input;
using Terminal.Gui.Testing;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Tests;

/// <summary>
/// A headless terminal (ANSI driver, buffer only, 80x25) and the modal layer of the console scripted: each dialog a
/// screen opens is run by the next script, which types into the real dialog views and reads the screen.
/// </summary>
internal sealed class ConsoleHarness : IModals, IDisposable
{
    private readonly Queue<Func<Dialog, Task>> _dialogs = new();
    private readonly Queue<int?> _answers = new();

    public ConsoleHarness(IGrainFactory grains, string operatorId = "console:ops@test")
    {
        App = Application.Create().Init();
        Session = new ConsoleSession(grains, operatorId, this);
    }

    public IApplication App { get; }

    public ConsoleSession Session { get; }

    /// <summary>Every question asked (title: message) and everything told, in order.</summary>
    public List<string> Asked { get; } = [];

    public List<string> Told { get; } = [];

    /// <summary>Runs <paramref name="script"/> on the next dialog of type <typeparamref name="T"/> a screen opens.</summary>
    public void OnDialog<T>(Func<T, Task> script) where T : Dialog =>
        _dialogs.Enqueue(d => d is T typed ? script(typed) : throw new InvalidOperationException($"Expected a {typeof(T).Name}, the screen opened a {d.GetType().Name}."));

    /// <summary>The answer to the next question (the index of the button; null is Esc).</summary>
    public void Answer(int? answer) => _answers.Enqueue(answer);

    public void Type(string text)
    {
        foreach (var c in text) App.InjectKey(new Key(c));
    }

    public void Press(Key key) => App.InjectKey(key);

    /// <summary>Lays out and draws a view that is not running yet, and returns the screen text.</summary>
    public string Draw(Runnable view)
    {
        var token = Begin(view);
        try
        {
            return Draw();
        }
        finally
        {
            App.End(token);
        }
    }

    /// <summary>Makes <paramref name="view"/> the running view, so injected keys reach it, until the scope ends.</summary>
    public IDisposable Show(Runnable view) => new Shown(App, Begin(view));

    /// <summary>The screen as it is now (the running view on top).</summary>
    public string Draw()
    {
        App.LayoutAndDraw(true);
        return App.Driver!.ToString() ?? "";
    }

    public async Task RunAsync(Dialog dialog)
    {
        if (!_dialogs.TryDequeue(out var script)) throw new InvalidOperationException($"No script for the {dialog.GetType().Name} the screen opened.");
        var token = Begin(dialog);
        try
        {
            await script(dialog);
        }
        catch
        {
            // The scripts queued after a failed one will not run; leave the failure to speak, not Dispose's check.
            _dialogs.Clear();
            throw;
        }
        finally
        {
            App.End(token);
        }
    }

    /// <summary>
    /// Starts a view without its main loop. Begin installs the loop's synchronization context, whose queue nothing
    /// drains here; continuations run on the thread pool instead, as the views tolerate headless.
    /// </summary>
    private SessionToken Begin(Runnable view)
    {
        var token = App.Begin(view) ?? throw new InvalidOperationException($"The {view.GetType().Name} did not start.");
        SynchronizationContext.SetSynchronizationContext(null);
        return token;
    }

    public Task<int?> ChooseAsync(string title, string message, params string[] answers)
    {
        Asked.Add($"{title}: {message}");
        return Task.FromResult(_answers.TryDequeue(out var answer) ? answer : throw new InvalidOperationException($"Nobody answers '{title}: {message}'."));
    }

    public Task TellAsync(string title, string message)
    {
        Told.Add($"{title}: {message}");
        return Task.CompletedTask;
    }

    /// <summary>Dialog scripts no screen used; a test whose flow stopped early leaves some.</summary>
    public int UnusedScripts => _dialogs.Count;

    public void Dispose() => App.Dispose();

    private sealed class Shown(IApplication app, SessionToken token) : IDisposable
    {
        public void Dispose() => app.End(token);
    }
}

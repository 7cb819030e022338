using Terminal.Gui.Drawing;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// The form of a key-based app, built from its fields: secret fields are masked, each field's rule is checked as the
/// operator types, and what the app answered when the keys were tried shows in the form.
/// </summary>
public sealed class KeyFormDialog : ConsoleDialog
{
    private const int LabelWidth = 22;
    private readonly ConsoleSession _session;
    private readonly AppDefinition _app;
    private readonly string _workspaceId;
    private readonly string _nickname;
    private readonly string? _reconnectAccountId;
    private readonly List<(KeyField Field, TextField Input, Label Problem)> _rows = [];

    public KeyFormDialog(ConsoleSession session, AppDefinition app, string workspaceId, string nickname, string? reconnectAccountId)
        : base(reconnectAccountId is null ? $"Connect {app.Name} ({workspaceId})" : $"Reconnect {nickname} ({app.Name})")
    {
        _session = session;
        _app = app;
        _workspaceId = workspaceId;
        _nickname = nickname;
        _reconnectAccountId = reconnectAccountId;
        var y = 1;
        foreach (var field in app.Fields)
        {
            var label = new Label { X = 1, Y = y, Width = LabelWidth, Text = Clip(field.Label + (field.Required ? "" : " (optional)"), LabelWidth), HotKeySpecifier = (System.Text.Rune)0xffff };
            var input = new TextField { X = LabelWidth + 2, Y = y, Width = Dim.Fill(1), Secret = field.Secret };
            var problem = new Label { X = LabelWidth + 2, Y = y + 1, Width = Dim.Fill(1), Text = field.HelpText ?? "", HotKeySpecifier = (System.Text.Rune)0xffff };
            input.TextChanged += (_, _) => ShowProblem(field, input, problem, onlyTyped: true);
            Add(label, input, problem);
            _rows.Add((field, input, problem));
            y += 2;
        }
        ErrorRow = y;
        AddAction(reconnectAccountId is null ? "Connect" : "Reconnect", SubmitAsync,
            app.TestRequest is null ? "Saving…" : $"Trying the keys at {app.Name}…");
        if (_rows.Count > 0) _rows[0].Input.SetFocus();
    }

    /// <summary>The account once the app accepted the keys.</summary>
    public AccountSummary? Connected { get; private set; }

    /// <summary>Types into a field, as the operator would (tests use it).</summary>
    public void SetField(string name, string value) => _rows.Single(r => r.Field.Name == name).Input.Text = value;

    /// <summary>The problem shown under a field, or its help text when it has none.</summary>
    public string ProblemOf(string name) => _rows.Single(r => r.Field.Name == name).Problem.Text;

    private async Task<bool> SubmitAsync()
    {
        var problems = _rows.Count(r => ShowProblem(r.Field, r.Input, r.Problem, onlyTyped: false));
        if (problems > 0)
        {
            ShowError(problems == 1 ? "One field needs attention." : $"{problems} fields need attention.");
            return false;
        }
        var fields = _rows.Where(r => r.Input.Text.Trim().Length > 0).ToDictionary(r => r.Field.Name, r => r.Input.Text.Trim(), StringComparer.Ordinal);
        var connector = _session.Grains.GetGrain<IAccountConnectorGrain>(0);
        Connected = _reconnectAccountId is null
            ? await connector.ConnectWithKeysAsync(new KeyConnectRequest { WorkspaceId = _workspaceId, AppSlug = _app.Slug, Nickname = _nickname, Fields = fields, Actor = _session.Operator })
            : await connector.ReconnectWithKeysAsync(new KeyReconnectRequest { AccountId = _reconnectAccountId, WorkspaceId = _workspaceId, Fields = fields, Actor = _session.Operator });
        return true;
    }

    protected override void OnError(Exception e)
    {
        if (e is not AccountValidationException validation)
        {
            base.OnError(e);
            return;
        }
        var rest = new List<string>();
        foreach (var (key, messages) in validation.Errors)
        {
            var row = _rows.FirstOrDefault(r => key == $"fields.{r.Field.Name}");
            if (row.Problem is null) rest.AddRange(messages);
            else MarkProblem(row.Problem, string.Join(' ', messages));
        }
        ShowError(rest.Count > 0 ? string.Join("; ", rest) : "The service refused some fields.");
    }

    /// <summary>Shows the field's rule check; true when there is a problem.</summary>
    private static bool ShowProblem(KeyField field, TextField input, Label problem, bool onlyTyped)
    {
        var text = input.Text;
        var message = onlyTyped && text.Length == 0 ? null : field.Check(text);
        if (message is null)
        {
            problem.Text = text.Length == 0 ? field.HelpText ?? "" : "✓";
            problem.SetScheme(null);
            return false;
        }
        MarkProblem(problem, message);
        return true;
    }

    private static void MarkProblem(Label problem, string message)
    {
        problem.Text = message;
        problem.SetScheme(new Scheme(new Terminal.Gui.Drawing.Attribute(ColorName16.BrightRed, ColorName16.Black)));
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

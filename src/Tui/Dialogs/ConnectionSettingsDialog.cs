using Terminal.Gui.Drawing;

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>
/// Where an OAuth account lives (a shop, a region, an instance), asked before the consent starts: one row per setting
/// of the app, its default filled in, its rule checked as the operator types. The cluster checks the values again,
/// and the hosts they lead to, when the flow starts.
/// </summary>
public sealed class ConnectionSettingsDialog : ConsoleDialog
{
    private const int LabelWidth = 22;
    private readonly List<(ConnectionSetting Setting, TextField Input, Label Problem)> _rows = [];

    public ConnectionSettingsDialog(AppDefinition app, IReadOnlyDictionary<string, string>? current = null)
        : base($"Where is your {app.Name} account?")
    {
        var y = 1;
        foreach (var setting in app.Settings)
        {
            var label = new Label { X = 1, Y = y, Width = LabelWidth, Text = Clip(setting.Label, LabelWidth), HotKeySpecifier = (System.Text.Rune)0xffff };
            var input = new TextField { X = LabelWidth + 2, Y = y, Width = Dim.Fill(1), Text = current?.GetValueOrDefault(setting.Name) ?? setting.Default ?? "" };
            var problem = new Label { X = LabelWidth + 2, Y = y + 1, Width = Dim.Fill(1), Text = Help(setting), HotKeySpecifier = (System.Text.Rune)0xffff };
            input.TextChanged += (_, _) => ShowProblem(setting, input, problem);
            Add(label, input, problem);
            _rows.Add((setting, input, problem));
            y += 2;
        }
        ErrorRow = y;
        AddAction("Continue", () =>
        {
            // Every row is checked, so each problem shows at once, not only the first.
            var problems = _rows.Count(r => ShowProblem(r.Setting, r.Input, r.Problem));
            return Task.FromResult(problems == 0);
        }, "Checking…");
        if (_rows.Count > 0) _rows[0].Input.SetFocus();
    }

    /// <summary>The values to connect with, as typed; empty ones are left to their defaults.</summary>
    public IReadOnlyDictionary<string, string> Values
        => _rows.Where(r => r.Input.Text.Length > 0).ToDictionary(r => r.Setting.Name, r => r.Input.Text, StringComparer.Ordinal);

    /// <summary>Types into a setting, as the operator would (tests use it).</summary>
    public void SetValue(string name, string value) => _rows.Single(r => r.Setting.Name == name).Input.Text = value;

    public string ProblemOf(string name) => _rows.Single(r => r.Setting.Name == name).Problem.Text;

    private static string Help(ConnectionSetting setting)
        => setting.Choices.Count > 0 ? $"One of: {string.Join(", ", setting.Choices)}" : setting.HelpText ?? "";

    private static bool ShowProblem(ConnectionSetting setting, TextField input, Label problem)
    {
        if (setting.Check(input.Text) is not { } message)
        {
            problem.Text = Help(setting);
            problem.SetScheme(null);
            return false;
        }
        problem.Text = message;
        problem.SetScheme(new Scheme(new Terminal.Gui.Drawing.Attribute(ColorName16.BrightRed, ColorName16.Black)));
        return true;
    }

    private static string Clip(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}

namespace Accounts.Orleans.Tui.Dialogs;

/// <summary>One line of input and an action that uses it (rename an account, a file to import or export).</summary>
public sealed class TextPromptDialog : ConsoleDialog
{
    private readonly TextField _input;

    public TextPromptDialog(string title, string prompt, string initial, string action, Func<string, Task<bool>> submit) : base(title)
    {
        var label = new Label { X = 1, Y = 1, Text = prompt, HotKeySpecifier = (System.Text.Rune)0xffff };
        _input = new TextField { X = 1, Y = 2, Width = Dim.Fill(1), Text = initial };
        ErrorRow = 3;
        Add(label, _input);
        AddAction(action, () => submit(_input.Text.Trim()));
        _input.SetFocus();
    }

    public string Value
    {
        get => _input.Text;
        set => _input.Text = value;
    }
}

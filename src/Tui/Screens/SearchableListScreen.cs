using System.Data;
using Terminal.Gui.ViewBase;
using Terminal.Gui.Views;

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// The layout every list screen shares: a search box (Enter searches), a table of results, a details pane for the
/// selected row and a status line. Screens supply the query, the rows and the details text.
/// </summary>
public abstract class SearchableListScreen<T> : View
{
    private readonly TextField _search;
    private readonly TableView _table;
    private readonly Label _details;
    private readonly Label _status;

    protected SearchableListScreen(string searchLabel, int tablePercent)
    {
        Width = Dim.Fill();
        Height = Dim.Fill();
        CanFocus = true;

        var label = new Label { Text = searchLabel, X = 0, Y = 0 };
        _search = new TextField { X = Pos.Right(label) + 1, Y = 0, Width = Dim.Fill() };
        _table = new TableView { X = 0, Y = 1, Width = Dim.Percent(tablePercent), Height = Dim.Fill(1), FullRowSelect = true };
        // Field names and ids contain '_', which a label would otherwise take for a hotkey marker.
        _details = new Label { X = Pos.Right(_table) + 1, Y = 1, Width = Dim.Fill(), Height = Dim.Fill(1), HotKeySpecifier = (System.Text.Rune)0xffff };
        _status = new Label { X = 0, Y = Pos.AnchorEnd(1), Width = Dim.Fill(), Text = "Loading…" };
        Add(label, _search, _table, _details, _status);

        _search.Accepting += async (_, e) =>
        {
            e.Handled = true;
            await LoadAsync();
        };
        _table.ValueChanged += async (_, _) => await ShowDetailsAsync();
    }

    /// <summary>What the search box holds; the next load filters by it.</summary>
    public string SearchText
    {
        get => _search.Text;
        set => _search.Text = value;
    }

    protected IReadOnlyList<T> Rows { get; private set; } = [];

    /// <summary>Runs the search and shows the results; a cluster error lands in the status line, not on the screen.</summary>
    public async Task LoadAsync()
    {
        try
        {
            var text = string.IsNullOrWhiteSpace(_search.Text) ? null : _search.Text.Trim();
            var (rows, status) = await QueryAsync(text);
            Rows = rows;
            _table.Table = new DataTableSource(ToTable(rows));
            _status.Text = status;
            await ShowDetailsAsync();
        }
        catch (Exception e) when (IsExpected(e))
        {
            _status.Text = $"Cannot search: {e.Message}";
        }
    }

    /// <summary>The rows for the search text (null: everything) and the status line to show.</summary>
    protected abstract Task<(IReadOnlyList<T> Rows, string Status)> QueryAsync(string? text);

    protected abstract DataTable ToTable(IReadOnlyList<T> rows);

    protected abstract Task<string> DescribeAsync(T row);

    /// <summary>Errors a caller can act on or the cluster being unreachable; anything else is a bug and surfaces.</summary>
    protected virtual bool IsExpected(Exception e) => e is OrleansException or TimeoutException;

    private async Task ShowDetailsAsync()
    {
        var row = _table.Value?.SelectedCell.Y ?? 0;
        _details.Text = row >= 0 && row < Rows.Count ? await DescribeAsync(Rows[row]) : "";
    }
}


namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// The layout list screens share: a search box and filters (Enter searches), a table of one page of results, a
/// details pane for the selected row and a status line. Pages follow the cluster's keyset cursors, so the hundredth
/// page costs what the first does. A wide terminal puts the details beside the table; a narrow one (80 columns) puts
/// them under it, so the table keeps every column.
/// </summary>
public abstract class SearchableListScreen<T> : ConsoleScreen where T : class
{
    private readonly TextField _search;
    private readonly TableView _table;
    private readonly Label _details;
    private readonly Label _status;
    /// <summary>Narrower than this, a table beside the details would cut its columns off.</summary>
    private const int WideWidth = 120;
    /// <summary>The table's lines besides its rows: the header between two rules, and the bottom rule.</summary>
    private const int TableChrome = 4;
    private readonly int _tablePercent;
    private readonly List<string?> _pageCursors = [null];
    private bool? _wide;
    private View _lastHeaderView;
    private int _page;
    private string? _next;
    private int _loads;

    protected SearchableListScreen(ConsoleSession session, string name, string searchLabel, int searchWidth, int tablePercent) : base(session, name)
    {
        var label = new Label { Text = searchLabel, X = 0, Y = 0 };
        _search = new TextField { X = Pos.Right(label) + 1, Y = 0, Width = searchWidth };
        _lastHeaderView = _search;
        _tablePercent = tablePercent;
        _table = new TableView { X = 0, Y = 1, FullRowSelect = true };
        _table.Style.ShowHorizontalBottomLine = true;
        // Field names and ids contain '_', which a label would otherwise take for a hotkey marker.
        _details = new Label { HotKeySpecifier = (System.Text.Rune)0xffff };
        _status = new Label { X = 0, Width = Dim.Fill(), Text = "Loading…", HotKeySpecifier = (System.Text.Rune)0xffff };
        Arrange(wide: false);
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

    public override void FocusStart() => _search.SetFocus();

    /// <summary>The row under the cursor, if any.</summary>
    public T? Selected => _table.Value?.SelectedCell.Y is { } row && row >= 0 && row < Rows.Count ? Rows[row] : null;

    /// <summary>The status line's text.</summary>
    public string Status => _status.Text;

    protected IReadOnlyList<T> Rows { get; private set; } = [];

    /// <summary>Moves the cursor to a row of the current page.</summary>
    public void SelectRow(int row) => _table.Value = new TableSelection(new System.Drawing.Point(0, row));

    /// <summary>Moves the cursor to the first row matching <paramref name="match"/>; false when this page has none.</summary>
    public bool SelectWhere(Func<T, bool> match)
    {
        for (var i = 0; i < Rows.Count; i++)
        {
            if (!match(Rows[i])) continue;
            SelectRow(i);
            return true;
        }
        return false;
    }

    protected ScreenAction NextPageAction => new(Key.PageDown.WithCtrl, "Next page", "_Next page", NextPageAsync);

    protected ScreenAction PreviousPageAction => new(Key.PageUp.WithCtrl, "Prev page", "_Previous page", PreviousPageAsync);

    protected override void OnFrameChanged(in System.Drawing.Rectangle frame)
    {
        base.OnFrameChanged(frame);
        Arrange(frame.Width >= WideWidth);
    }

    /// <summary>
    /// Wide: the details right of the table, the status line under both. Narrow: the table across the screen, the
    /// status line under it (it speaks of the table's page) and the details below, taking what is left.
    /// </summary>
    private void Arrange(bool wide)
    {
        if (_wide == wide) return;
        _wide = wide;
        if (wide)
        {
            _table.Width = Dim.Percent(_tablePercent);
            _table.Height = Dim.Fill(1);
            (_details.X, _details.Y, _details.Width, _details.Height) = (Pos.Right(_table) + 1, 1, Dim.Fill(), Dim.Fill(1));
            _status.Y = Pos.AnchorEnd(1);
        }
        else
        {
            _table.Width = Dim.Fill();
            // Up to a little over half the screen; a short page leaves the rest to the details.
            _table.Height = Dim.Func(_ => Math.Min(Viewport.Height * 55 / 100, TableChrome + Math.Max(Rows.Count, 1)));
            _status.Y = Pos.Bottom(_table);
            (_details.X, _details.Y, _details.Width, _details.Height) = (0, Pos.Bottom(_status), Dim.Fill(), Dim.Fill());
        }
    }

    /// <summary>Adds a filter to the header row, right of the search box; Enter in it searches too.</summary>
    protected void AddFilter(string text, View input)
    {
        var label = new Label { Text = text, X = Pos.Right(_lastHeaderView) + 2, Y = 0 };
        input.X = Pos.Right(label) + 1;
        input.Y = 0;
        input.Accepting += async (_, e) =>
        {
            e.Handled = true;
            await LoadAsync();
        };
        Add(label, input);
        _lastHeaderView = input;
        // Tab walks the header, search box first, then comes down to the table.
        MoveSubViewToEnd(_table);
    }

    /// <summary>Runs the search from its first page.</summary>
    public override Task LoadAsync()
    {
        _pageCursors.Clear();
        _pageCursors.Add(null);
        _page = 0;
        return LoadPageAsync();
    }

    public Task NextPageAsync()
    {
        if (_next is null) return Task.CompletedTask;
        if (_pageCursors.Count == _page + 1) _pageCursors.Add(_next);
        _page++;
        return LoadPageAsync();
    }

    public Task PreviousPageAsync()
    {
        if (_page == 0) return Task.CompletedTask;
        _page--;
        return LoadPageAsync();
    }

    /// <summary>Loads the current page again, keeping the selection's position (after an action changed a row).</summary>
    public Task ReloadAsync() => LoadPageAsync(keepSelection: true);

    private async Task LoadPageAsync(bool keepSelection = false)
    {
        var load = ++_loads;
        var selected = _table.Value?.SelectedCell.Y ?? 0;
        _status.Text = "Loading…";
        try
        {
            var text = string.IsNullOrWhiteSpace(_search.Text) ? null : _search.Text.Trim();
            var (rows, next) = await QueryAsync(text, _pageCursors[_page]);
            if (load != _loads) return; // A newer search started while this one ran.
            Rows = rows;
            _next = next;
            _table.Table = new EnumerableTableSource<T>(rows, Columns());
            SetNeedsLayout();
            if (keepSelection && rows.Count > 0) SelectRow(Math.Min(selected, rows.Count - 1));
            _status.Text = PageStatus(rows.Count);
            await ShowDetailsAsync();
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            if (load == _loads) _status.Text = $"Cannot load: {ErrorText.Describe(e)}";
        }
    }

    private string PageStatus(int count)
    {
        var noun = count == 1 ? ItemNoun : ItemsNoun;
        if (_page == 0 && _next is null) return $"{count} {noun}";
        var paging = string.Join(" · ", new[] { _page > 0 ? "Ctrl+PgUp previous" : null, _next is not null ? "Ctrl+PgDn next" : null }.OfType<string>());
        return $"page {_page + 1}: {count} {noun}{(paging.Length > 0 ? " · " + paging : "")}";
    }

    /// <summary>One page of rows for the search text (null: everything), and the cursor of the next page.</summary>
    protected abstract Task<(IReadOnlyList<T> Rows, string? Next)> QueryAsync(string? text, string? cursor);

    protected abstract string ItemNoun { get; }

    /// <summary>More than one of <see cref="ItemNoun"/>, for the nouns whose plural is not just an added s.</summary>
    protected virtual string ItemsNoun => ItemNoun + "s";

    /// <summary>What the details pane says when the page is empty: how to get something onto it.</summary>
    protected abstract string EmptyHint { get; }

    /// <summary>The list's columns, in order: a header and how a row shows in it (evaluated when a page loads).</summary>
    protected abstract Dictionary<string, Func<T, object>> Columns();

    protected abstract Task<string> DescribeAsync(T row);

    private async Task ShowDetailsAsync()
    {
        try
        {
            _details.Text = Selected is { } row ? await DescribeAsync(row) : Rows.Count == 0 ? EmptyHint : "";
        }
        catch (Exception e) when (ErrorText.IsExpected(e))
        {
            _details.Text = $"Cannot load details: {ErrorText.Describe(e)}";
        }
    }
}

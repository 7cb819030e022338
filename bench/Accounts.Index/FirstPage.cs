using System.Diagnostics;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Index.Bench;

/// <summary>One search the accounts screen makes, and which seeded accounts it should find (after <see cref="After"/>, when it pages on).</summary>
public sealed record FirstPage(string Name, AccountQuery Query, Func<SeededAccount, bool> Matches, string? After = null)
{
    public const int ScreenPageSize = 200;

    /// <summary>The screen's filters, with values picked from the seeded data so each finds what its name says.</summary>
    public static IReadOnlyList<FirstPage> ScreenQueries(IReadOnlyList<SeededAccount> accounts)
    {
        var live = accounts.Where(a => !a.Deleted).ToArray();
        var workspaces = live.CountBy(a => a.Summary.WorkspaceId).OrderByDescending(c => c.Value).ToArray();
        var workspace = workspaces[Math.Min(9, workspaces.Length - 1)].Key;
        var app = live.CountBy(a => a.Summary.AppSlug).MaxBy(c => c.Value).Key;
        var word = SyntheticAccounts.Codenames[10];
        const string nothing = "zqxjv";
        // Two letters hold no trigram: the one search a PostgreSQL trigram index cannot serve.
        const string shortNothing = "zq";
        return
        [
            new("no filter", Screen(), _ => true),
            new($"text \"{word}\" (~1%)", Screen() with { Text = word }, a => Contains(a, word)),
            new($"text \"{nothing}\" (no match)", Screen() with { Text = nothing }, a => Contains(a, nothing)),
            new($"text \"{shortNothing}\" (2 letters, no match)", Screen() with { Text = shortNothing }, a => Contains(a, shortNothing)),
            new($"workspace {workspace} (10th largest)", Screen() with { WorkspaceId = workspace }, a => a.Summary.WorkspaceId == workspace),
            new($"app {app} (most used)", Screen() with { AppSlug = app }, a => a.Summary.AppSlug == app),
            new("health needs_reconnect", Screen() with { Health = AccountHealth.NeedsReconnect }, a => a.Summary.Health == AccountHealth.NeedsReconnect),
        ];
    }

    public static AccountQuery Screen() => new() { Limit = ScreenPageSize };

    private static bool Contains(SeededAccount account, string text)
        => account.Summary.Nickname.Contains(text, StringComparison.OrdinalIgnoreCase);

    /// <summary>How many live accounts the query matches from where it starts.</summary>
    public int Matching(IReadOnlyList<SeededAccount> accounts) => accounts.Count(Finds);

    /// <summary>The ids the page must hold: live matches in id order, at most a page of them.</summary>
    public IReadOnlyList<string> Expected(IReadOnlyList<SeededAccount> accounts)
        => accounts.Where(Finds).Select(a => a.Summary.Id).Order(StringComparer.Ordinal).Take(Query.Limit).ToArray();

    private bool Finds(SeededAccount account)
        => !account.Deleted && Matches(account) && (After is null || string.CompareOrdinal(account.Summary.Id, After) > 0);
}

/// <summary>Latencies of repeated calls, one at a time.</summary>
public sealed record Timing(double P50Milliseconds, double P95Milliseconds, double MaxMilliseconds)
{
    public static async Task<Timing> MeasureAsync(Func<Task> call, int runs)
    {
        var ticks = new long[runs];
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await call();
            ticks[i] = Stopwatch.GetTimestamp() - start;
        }
        Array.Sort(ticks);
        return new Timing(Milliseconds(ticks, 0.50), Milliseconds(ticks, 0.95), Milliseconds(ticks, 1.0));
    }

    private static double Milliseconds(long[] sorted, double p)
        => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)] * 1000d / Stopwatch.Frequency;
}

namespace Accounts.Orleans.Tui.Screens;

/// <summary>
/// Times as a list column shows them: short and relative to now ("in 42m", "3h ago"), so a table of seven columns
/// fits 80; the details pane gives the exact time.
/// </summary>
internal static class ListTime
{
    public static string Until(DateTimeOffset at, DateTimeOffset now) => at > now ? $"in {Span(at - now)}" : "expired";

    public static string Since(DateTimeOffset at, DateTimeOffset now) => now - at < TimeSpan.FromMinutes(1) ? "just now" : $"{Span(now - at)} ago";

    private static string Span(TimeSpan span) => span switch
    {
        { TotalMinutes: < 60 } => $"{Math.Max(1, (int)span.TotalMinutes)}m",
        { TotalHours: < 48 } => $"{(int)span.TotalHours}h",
        _ => $"{(int)span.TotalDays}d",
    };
}

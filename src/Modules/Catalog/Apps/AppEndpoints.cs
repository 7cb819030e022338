namespace Accounts.Orleans.Catalog.Apps;

/// <summary>
/// Where an app sends credentials: the origin (scheme, host, port) of each OAuth endpoint and of the key test request.
/// A change of one of them decides where tokens and keys go next, so the audit names it.
/// </summary>
internal static class AppEndpoints
{
    /// <summary>"token https://a.example → https://b.example", one clause per moved endpoint; null when none moved.</summary>
    public static string? Moves(AppDefinition? before, AppDefinition after)
    {
        var was = Of(before);
        var now = Of(after);
        var moves = now.Keys.Union(was.Keys).Order(StringComparer.Ordinal)
            .Where(name => was.GetValueOrDefault(name) != now.GetValueOrDefault(name))
            .Select(name => $"{name} {was.GetValueOrDefault(name) ?? "(none)"} → {now.GetValueOrDefault(name) ?? "(none)"}")
            .ToList();
        return moves.Count == 0 ? null : string.Join("; ", moves);
    }

    private static Dictionary<string, string> Of(AppDefinition? app)
    {
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        void Add(string name, string? url)
        {
            if (url is not null) origins[name] = Origin(url);
        }
        Add("authorize", app?.OAuth?.AuthorizeUrl);
        Add("token", app?.OAuth?.TokenUrl);
        Add("refresh", app?.OAuth?.RefreshUrl);
        Add("revoke", app?.OAuth?.RevokeUrl);
        Add("test", app?.TestRequest?.Url);
        return origins;
    }

    // By text rather than Uri: a test request's host may be a {{field}} the user types, which no Uri parses.
    private static string Origin(string url)
    {
        var start = url.IndexOf("://", StringComparison.Ordinal);
        var hostStart = start < 0 ? 0 : start + 3;
        var end = url.IndexOfAny(['/', '?', '#'], hostStart);
        return (end < 0 ? url : url[..end]).ToLowerInvariant();
    }
}

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>The category vocabulary; a closed set so filters and the console can offer it as a list.</summary>
public static class AppCategories
{
    public static readonly IReadOnlySet<string> Known = new SortedSet<string>(StringComparer.Ordinal)
    {
        "accounting", "ai", "analytics", "calendar", "cloud", "commerce", "communication", "crm", "databases",
        "design", "developer-tools", "documents", "email", "forms", "hr", "marketing", "monitoring", "payments",
        "productivity", "project-management", "security", "social", "storage", "support", "video",
    };
}

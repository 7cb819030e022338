using Accounts.Orleans.Connections;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Index.Bench;

/// <summary>One account as the index holds it: the summary its grain would write, and whether it is deleted.</summary>
public sealed record SeededAccount(AccountSummary Summary, bool Deleted);

/// <summary>
/// A deployment's worth of accounts, the same on every run: a few large workspaces and many small ones, popular
/// apps and a long tail, nicknames made of words, a mix of health, some accounts used by workflow steps.
/// </summary>
public static class SyntheticAccounts
{
    /// <summary>Each codename ends about 1% of nicknames (25 of them, on a quarter of the accounts).</summary>
    public static readonly string[] Codenames =
    [
        "aurora", "basalt", "cobalt", "dynamo", "ember", "fjord", "glacier", "heron", "indigo", "juniper", "kestrel",
        "lantern", "meridian", "nebula", "orchid", "pinnacle", "quartz", "raven", "solstice", "tundra", "umbra",
        "vertex", "willow", "xenon", "zephyr",
    ];

    private static readonly string[] Teams =
    [
        "Sales", "Marketing", "Finance", "Support", "Ops", "Engineering", "Product", "Design", "HR", "Legal", "Growth",
        "Data", "Security", "Platform", "Billing", "Partners", "Recruiting", "Customer Success", "IT", "Research",
    ];

    private static readonly string[] Qualifiers =
    [
        "prod", "staging", "EU", "US", "APAC", "backup", "main", "shared", "sandbox", "reports", "alerts", "invoices",
        "onboarding", "analytics", "migration", "old", "new", "test", "team", "bot",
    ];

    private static readonly string[] Workflows =
    [
        "invoices", "onboarding", "lead_sync", "weekly_report", "churn_alerts", "ticket_triage", "payroll", "backups",
        "release_notes", "standup", "renewals", "expenses", "crm_cleanup", "nps_survey", "deploy_notify",
    ];

    /// <param name="catalog">The real catalog; <paramref name="appCount"/> of its apps are used, in a random order of popularity.</param>
    public static IReadOnlyList<SeededAccount> Generate(int count, int workspaceCount, int appCount, IReadOnlyList<AppDefinition> catalog, DateTimeOffset now)
    {
        var random = new Random(20_250_101);
        var apps = catalog.Where(a => !a.Disabled).OrderBy(a => a.Slug, StringComparer.Ordinal).ToArray();
        random.Shuffle(apps);
        apps = apps[..Math.Min(appCount, apps.Length)];
        var workspaces = Enumerable.Range(1, workspaceCount).Select(i => $"ws_{i:D3}").ToArray();
        var pickWorkspace = Zipf(workspaces.Length, 0.8);
        var pickApp = Zipf(apps.Length, 1.0);
        var first = now.AddDays(-730);
        var clock = new FakeTimeProvider(first);
        var accounts = new List<SeededAccount>(count);
        for (var i = 0; i < count; i++)
        {
            // Ids are ULIDs, so creation order is id order: spread the accounts evenly over two years.
            var created = first + (now - first) * ((double)i / count);
            clock.SetUtcNow(created);
            var id = AccountIds.New(clock);
            var app = apps[pickApp(random)];
            var health = PickHealth(random);
            var deleted = health == AccountHealth.Deleted;
            var oauth = app.AuthType == AuthType.OAuth2;
            DateTimeOffset? expires = !oauth || deleted ? null
                : health switch
                {
                    AccountHealth.Expiring => now.AddMinutes(random.Next(1, 5)),
                    AccountHealth.NeedsReconnect => now.AddDays(-random.Next(1, 60)),
                    _ => now.AddMinutes(random.Next(10, 60)),
                };
            var summary = new AccountSummary
            {
                Id = id,
                WorkspaceId = workspaces[pickWorkspace(random)],
                AppSlug = app.Slug,
                Nickname = Nickname(random, app),
                AuthType = app.AuthType,
                Health = health,
                HealthReason = health switch
                {
                    AccountHealth.NeedsReconnect => "invalid_grant: the refresh token was revoked",
                    AccountHealth.Degraded => "token endpoint answered 503",
                    AccountHealth.Deleted => "deleted",
                    _ => null,
                },
                GrantedScopes = oauth && !deleted ? app.OAuth?.DefaultScopes ?? [] : [],
                AccessTokenExpiresAt = expires,
                LastRefreshedAt = expires?.AddHours(-1),
                NextRefreshAt = expires?.AddMinutes(-5),
                CreatedAt = created,
                UpdatedAt = created + (now - created) * random.NextDouble(),
                LastUsedAt = !deleted && random.NextDouble() < 0.7 ? now.AddMinutes(-random.Next(1, 60 * 24 * 30)) : null,
                LinkedSteps = deleted || random.NextDouble() >= 0.4 ? [] : Steps(random),
                Fields = oauth || deleted ? new Dictionary<string, string>() : app.Fields.ToDictionary(
                    f => f.Name, f => f.Secret ? "••••" + random.Next(1000, 9999) : $"acme-{random.Next(1, 500)}", StringComparer.Ordinal),
                UpstreamIdentity = oauth && random.NextDouble() < 0.5 ? $"U{random.Next(100_000, 999_999)}" : null,
            };
            accounts.Add(new SeededAccount(summary, deleted));
        }
        return accounts;
    }

    private static AccountHealth PickHealth(Random random) => random.NextDouble() switch
    {
        < 0.05 => AccountHealth.Deleted,
        < 0.08 => AccountHealth.NeedsReconnect,
        < 0.09 => AccountHealth.Degraded,
        < 0.11 => AccountHealth.Expiring,
        _ => AccountHealth.Healthy,
    };

    private static string Nickname(Random random, AppDefinition app)
    {
        var words = new List<string>(4);
        if (random.NextDouble() < 0.7) words.Add(Teams[random.Next(Teams.Length)]);
        words.Add(app.Name);
        if (random.NextDouble() < 0.5) words.Add(Qualifiers[random.Next(Qualifiers.Length)]);
        if (random.NextDouble() < 0.25) words.Add(Codenames[random.Next(Codenames.Length)]);
        return string.Join(' ', words);
    }

    private static WorkflowStep[] Steps(Random random)
        => Enumerable.Range(0, random.Next(1, 4))
            .Select(_ => new WorkflowStep($"wf_{Workflows[random.Next(Workflows.Length)]}_{random.Next(1, 40)}", $"step_{random.Next(1, 12)}"))
            .DistinctBy(s => (s.WorkflowId, s.StepId))
            .ToArray();

    /// <summary>Picks 0..n-1 with weight 1/(k+1)^s: a few popular values and a long tail.</summary>
    private static Func<Random, int> Zipf(int n, double s)
    {
        var cumulative = new double[n];
        var total = 0.0;
        for (var k = 0; k < n; k++) cumulative[k] = total += 1 / Math.Pow(k + 1, s);
        return random =>
        {
            var at = Array.BinarySearch(cumulative, random.NextDouble() * total);
            return Math.Min(n - 1, at >= 0 ? at : ~at);
        };
    }
}

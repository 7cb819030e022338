using System.Buffers.Text;
using System.Text;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class AppSearchTests
{
    [Fact]
    public void Paging_returns_every_enabled_app_once_in_slug_order()
    {
        var (catalog, disabled) = GeneratedCatalog(25);
        var expected = catalog.Apps.Select(a => a.Slug).Where(s => !disabled.Contains(s)).ToList();

        var pages = AllPages(catalog, new AppQuery { Limit = 7 });

        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(a => a.Slug));
        Assert.All(pages[..^1], p => Assert.Equal(7, p.Items.Count));
        Assert.All(pages[..^1], p => Assert.NotNull(p.Next));
        Assert.Null(pages[^1].Next);
    }

    [Fact]
    public void Last_page_that_is_exactly_full_has_no_next_cursor()
    {
        var catalog = TestApps.Catalog([.. Enumerable.Range(0, 14).Select(i => TestApps.OAuth($"app_{i:D2}"))]);

        var pages = AllPages(catalog, new AppQuery { Limit = 7 });

        Assert.Equal(2, pages.Count);
        Assert.Null(pages[1].Next);
    }

    [Fact]
    public void Disabled_apps_are_not_listed()
    {
        var catalog = CatalogComposition.Compose(
            1, [TestApps.OAuth("acme"), TestApps.OAuth("globex")], [], [], new Dictionary<string, bool>(StringComparer.Ordinal) { ["acme"] = true });

        var page = AppSearch.Run(catalog, new AppQuery());

        Assert.Equal(["globex"], page.Items.Select(a => a.Slug));
    }

    [Theory]
    [InlineData(AuthType.OAuth2, "acme")]
    [InlineData(AuthType.Keys, "globex")]
    public void Auth_type_filter_lists_only_that_auth_type(AuthType authType, string expected)
    {
        var catalog = TestApps.Catalog(TestApps.OAuth("acme"), TestApps.Keys("globex"));

        var page = AppSearch.Run(catalog, new AppQuery { AuthType = authType });

        Assert.Equal([expected], page.Items.Select(a => a.Slug));
    }

    [Fact]
    public void Category_filter_lists_only_apps_in_that_category()
    {
        var catalog = TestApps.Catalog(
            TestApps.OAuth("acme") with { Categories = ["crm", "email"] },
            TestApps.OAuth("globex") with { Categories = ["crm"] },
            TestApps.OAuth("initech") with { Categories = ["email"] });

        var page = AppSearch.Run(catalog, new AppQuery { Category = "email" });

        Assert.Equal(["acme", "initech"], page.Items.Select(a => a.Slug));
    }

    [Theory]
    [InlineData("ACME_W")]     // slug
    [InlineData("rocket")]     // name
    [InlineData("INVOICES")]   // description
    [InlineData("Roadrunner")] // alias
    [InlineData("  rocket  ")] // surrounding spaces are ignored
    public void Text_filter_matches_slug_name_description_or_alias_ignoring_case(string text)
    {
        var catalog = TestApps.Catalog(
            TestApps.OAuth("acme_widgets", "Rocket Skates") with { Description = "Sends invoices.", Aliases = ["roadrunner_co"] },
            TestApps.OAuth("globex", "Globex") with { Description = "Hammocks." });

        var page = AppSearch.Run(catalog, new AppQuery { Text = text });

        Assert.Equal(["acme_widgets"], page.Items.Select(a => a.Slug));
    }

    [Fact]
    public void A_search_lists_the_apps_it_names_before_those_that_only_mention_it_each_group_by_slug()
    {
        var catalog = TestApps.Catalog(
            TestApps.Keys("incident_io", "incident.io") with { Description = "On-call with Slack-native response." },
            TestApps.OAuth("slack", "Slack"),
            TestApps.OAuth("acme_chat", "Acme Chat") with { Aliases = ["slackish"] },
            TestApps.OAuth("google_sheets", "Google Sheets"),
            TestApps.Keys("airtable", "Airtable") with { Description = "Spreadsheets and databases; imports from Slack." });

        var slack = AppSearch.Run(catalog, new AppQuery { Text = "Slack" });
        var sheets = AppSearch.Run(catalog, new AppQuery { Text = "sheets" });

        Assert.Equal(["acme_chat", "slack", "airtable", "incident_io"], slack.Items.Select(a => a.Slug));
        Assert.Equal(["google_sheets", "airtable"], sheets.Items.Select(a => a.Slug));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Paging_a_search_crosses_from_the_named_apps_to_the_rest_once(int limit)
    {
        var catalog = TestApps.Catalog(
            TestApps.Keys("incident_io", "incident.io") with { Description = "Slack-native." },
            TestApps.OAuth("slack", "Slack"),
            TestApps.OAuth("acme_chat", "Acme Chat") with { Aliases = ["slackish"] },
            TestApps.Keys("airtable", "Airtable") with { Description = "Imports from Slack." },
            TestApps.OAuth("globex", "Globex"));

        var pages = AllPages(catalog, new AppQuery { Text = "slack", Limit = limit });

        Assert.Equal(["acme_chat", "slack", "airtable", "incident_io"], pages.SelectMany(p => p.Items).Select(a => a.Slug));
        Assert.All(pages.SkipLast(1), p => Assert.Equal(limit, p.Items.Count));
    }

    [Fact]
    public void Filters_combine_with_paging()
    {
        var (catalog, disabled) = GeneratedCatalog(25);
        var expected = catalog.Apps
            .Where(a => !disabled.Contains(a.Slug) && a.AuthType == AuthType.Keys && a.Categories.Contains("email"))
            .Select(a => a.Slug).ToList();

        var pages = AllPages(catalog, new AppQuery { AuthType = AuthType.Keys, Category = "email", Limit = 2 });

        Assert.NotEmpty(expected);
        Assert.Equal(expected, pages.SelectMany(p => p.Items).Select(a => a.Slug));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Limit_out_of_range_is_rejected(int limit) => AssertRejected(new AppQuery { Limit = limit }, "limit");

    [Theory]
    [InlineData(1)]
    [InlineData(1000)]
    public void Limit_at_the_bounds_is_accepted(int limit)
    {
        var page = AppSearch.Run(TestApps.Catalog(TestApps.OAuth("acme"), TestApps.OAuth("globex")), new AppQuery { Limit = limit });

        Assert.Equal(Math.Min(limit, 2), page.Items.Count);
    }

    [Theory]
    [InlineData("!!!not a cursor!!!")]
    [InlineData("YTE6")] // "a1:" with no slug after it
    public void Garbage_cursor_is_rejected(string cursor) => AssertRejected(new AppQuery { Cursor = cursor }, "cursor");

    [Theory]
    [InlineData("b1:acme")]
    [InlineData("acme")]
    [InlineData("a1:Not A Slug")]
    public void Base64_cursor_we_did_not_issue_is_rejected(string decoded)
        => AssertRejected(new AppQuery { Cursor = Base64Url.EncodeToString(Encoding.UTF8.GetBytes(decoded)) }, "cursor");

    [Fact]
    public void Over_long_cursor_is_rejected()
        => AssertRejected(new AppQuery { Cursor = AppSearch.EncodeCursor("a" + new string('b', 200)) }, "cursor");

    [Fact]
    public void Issued_cursor_is_accepted()
    {
        var page = AppSearch.Run(TestApps.Catalog(TestApps.OAuth("acme"), TestApps.OAuth("globex")), new AppQuery { Cursor = AppSearch.EncodeCursor("acme") });

        Assert.Equal(["globex"], page.Items.Select(a => a.Slug));
    }

    [Fact]
    public void Text_over_200_characters_is_rejected()
    {
        var catalog = TestApps.Catalog(TestApps.OAuth("acme"));

        Assert.Empty(AppSearch.Run(catalog, new AppQuery { Text = new string('q', 200) }).Items);
        AssertRejected(new AppQuery { Text = new string('q', 201) }, "q");
    }

    [Theory]
    [InlineData("gardening")]
    [InlineData("CRM")]
    [InlineData("")]
    public void Unknown_category_is_rejected(string category) => AssertRejected(new AppQuery { Category = category }, "category");

    private static void AssertRejected(AppQuery query, string key)
    {
        var catalog = TestApps.Catalog(TestApps.OAuth("acme"), TestApps.Keys("globex"));

        var e = Assert.Throws<CatalogValidationException>(() => AppSearch.Run(catalog, query));

        Assert.Contains(key, e.Errors.Keys);
    }

    private static List<AppPage> AllPages(CatalogComposition catalog, AppQuery query)
    {
        var pages = new List<AppPage>();
        string? cursor = null;
        do
        {
            var page = AppSearch.Run(catalog, query with { Cursor = cursor });
            pages.Add(page);
            cursor = page.Next;
            Assert.True(pages.Count <= catalog.Apps.Count + 1, "Paging does not end.");
        }
        while (cursor is not null);
        return pages;
    }

    /// <summary>Apps added in a scrambled order, both auth types, a few categories, every fifth one disabled.</summary>
    private static (CatalogComposition Catalog, HashSet<string> Disabled) GeneratedCatalog(int count)
    {
        string[] categories = ["crm", "email", "storage"];
        var apps = Enumerable.Range(0, count)
            .Select(i => (i * 7) % count) // a permutation, so input order differs from slug order
            .Select(i =>
            {
                var slug = $"app_{(char)('a' + (i % 26))}{i:D2}";
                var app = i % 2 == 0 ? TestApps.OAuth(slug) : TestApps.Keys(slug);
                return app with { Categories = [categories[i % categories.Length]] };
            })
            .ToArray();
        var disabled = apps.Where((_, i) => i % 5 == 0).Select(a => a.Slug).ToHashSet(StringComparer.Ordinal);
        return (CatalogComposition.Compose(1, apps, [], [], disabled.ToDictionary(s => s, _ => true, StringComparer.Ordinal)), disabled);
    }
}

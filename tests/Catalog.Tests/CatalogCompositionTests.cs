using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class CatalogCompositionTests
{
    private static readonly Dictionary<string, bool> NoneDisabled = new(StringComparer.Ordinal);

    [Fact]
    public void Operator_file_overrides_shipped_and_operator_changes_override_both()
    {
        var catalog = CatalogComposition.Compose(
            7,
            shipped: [TestApps.OAuth("acme", "Shipped Acme"), TestApps.OAuth("globex", "Shipped Globex"), TestApps.OAuth("initech", "Shipped Initech")],
            operatorFile: [TestApps.OAuth("acme", "File Acme"), TestApps.OAuth("globex", "File Globex")],
            operatorChanges: [TestApps.OAuth("acme", "Changed Acme"), TestApps.Keys("hooli", "Changed Hooli")],
            NoneDisabled);

        Assert.Equal(7, catalog.Revision);
        Assert.Equal("Changed Acme", catalog.Find("acme")?.Name);
        Assert.Equal("File Globex", catalog.Find("globex")?.Name);
        Assert.Equal("Shipped Initech", catalog.Find("initech")?.Name);
        Assert.Equal("Changed Hooli", catalog.Find("hooli")?.Name);
        Assert.Equal(4, catalog.Apps.Count);
    }

    [Fact]
    public void Disabled_slug_is_marked_disabled_and_still_found()
    {
        var catalog = CatalogComposition.Compose(
            1, [TestApps.OAuth("acme"), TestApps.OAuth("globex")], [], [], new Dictionary<string, bool>(StringComparer.Ordinal) { ["acme"] = true });

        Assert.True(catalog.Find("acme")?.Disabled);
        Assert.False(catalog.Find("globex")?.Disabled);
        Assert.Equal(["acme", "globex"], catalog.Apps.Select(a => a.Slug));
    }

    [Fact]
    public void An_app_disabled_in_the_operator_file_stays_disabled_until_an_operator_enables_it()
    {
        AppDefinition[] file = [TestApps.OAuth("acme") with { Disabled = true }];

        var asFiled = CatalogComposition.Compose(1, [TestApps.OAuth("acme")], file, [], NoneDisabled);
        var enabled = CatalogComposition.Compose(2, [TestApps.OAuth("acme")], file, [],
            new Dictionary<string, bool>(StringComparer.Ordinal) { ["acme"] = false });

        Assert.True(asFiled.Find("acme")?.Disabled);
        Assert.False(enabled.Find("acme")?.Disabled);
    }

    [Fact]
    public void Disabled_slug_stays_disabled_when_an_operator_change_replaces_the_app()
    {
        var catalog = CatalogComposition.Compose(
            1, [TestApps.OAuth("acme", "Old")], [], [TestApps.OAuth("acme", "New")], new Dictionary<string, bool>(StringComparer.Ordinal) { ["acme"] = true });

        var app = catalog.Find("acme");

        Assert.Equal("New", app?.Name);
        Assert.True(app?.Disabled);
    }

    [Fact]
    public void Find_by_alias_returns_the_app()
    {
        var catalog = TestApps.Catalog(TestApps.OAuth("acme") with { Aliases = ["acme_corp", "acmeco"] }, TestApps.OAuth("globex"));

        Assert.Equal("acme", catalog.Find("acme_corp")?.Slug);
        Assert.Equal("acme", catalog.Find("acmeco")?.Slug);
        Assert.Null(catalog.Find("initech"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Alias_never_shadows_a_real_slug(bool aliasOwnerFirst)
    {
        var owner = TestApps.OAuth("acme") with { Aliases = ["globex"] };
        var real = TestApps.Keys("globex");
        var catalog = TestApps.Catalog(aliasOwnerFirst ? [owner, real] : [real, owner]);

        Assert.Equal("globex", catalog.Find("globex")?.Slug);
        Assert.Equal(AuthType.Keys, catalog.Find("globex")?.AuthType);
    }

    [Fact]
    public void Apps_are_sorted_by_slug_ordinal()
    {
        var catalog = TestApps.Catalog(
            TestApps.OAuth("zeta"), TestApps.OAuth("alpha_2"), TestApps.OAuth("alpha"), TestApps.OAuth("alpha10"), TestApps.OAuth("beta"));

        Assert.Equal(["alpha", "alpha10", "alpha_2", "beta", "zeta"], catalog.Apps.Select(a => a.Slug));
    }

    [Fact]
    public void Snapshot_round_trip_keeps_revision_and_lookups()
    {
        var catalog = CatalogComposition.Compose(
            42, [TestApps.OAuth("acme") with { Aliases = ["acme_corp"] }], [], [], new Dictionary<string, bool>(StringComparer.Ordinal) { ["acme"] = true });

        var copy = CatalogComposition.FromSnapshot(catalog.ToSnapshot());

        Assert.Equal(42, copy.Revision);
        Assert.Equal("acme", copy.Find("acme_corp")?.Slug);
        Assert.True(copy.Find("acme")?.Disabled);
    }
}

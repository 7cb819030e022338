using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Catalog;

/// <summary>
/// The catalog grains on a real embedded Host, called through an external Orleans client the way the console and a
/// workflow engine call them, so every argument, result and error crosses the wire.
/// </summary>
public sealed class CatalogGrainTests : IAsyncLifetime
{
    private TestHost _host = null!;
    private ExternalClient _client = null!;

    private IClusterClient Client => _client.Grains;

    private IAppCatalogGrain Catalog => Client.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);

    private IAppCatalogReaderGrain Reader => Client.GetGrain<IAppCatalogReaderGrain>(0);

    public async ValueTask InitializeAsync()
    {
        // Long enough that nothing in these tests sees the reader refresh on its own.
        _host = await TestHost.Sqlite().With(settings => settings["Accounts:Catalog:ReaderRefreshInterval"] = "00:10:00").StartAsync();
        _client = await _host.ConnectClientAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisposeAsync();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task An_operator_can_add_an_app_and_a_reader_asked_for_the_changes_revision_shows_it_at_once()
    {
        var app = new AppDefinition
        {
            Slug = "acme_crm",
            Name = "Acme CRM",
            Categories = ["crm"],
            DocsUrl = "https://developer.acme.example/oauth",
            AuthType = AuthType.OAuth2,
            OAuth = new OAuthSettings { AuthorizeUrl = "https://acme.example/authorize", TokenUrl = "https://acme.example/token" },
        };

        var before = await Reader.ListAppsAsync(new AppQuery { Text = "acme" });
        var change = await Catalog.UpsertAppAsync(app, "ops@example.com");
        var stale = await Reader.ListAppsAsync(new AppQuery { Text = "acme" });
        var seen = await Reader.ListAppsAsync(new AppQuery { Text = "acme", AtLeastRevision = change.Revision });

        Assert.Equal("Acme CRM", change.App.Name);
        Assert.DoesNotContain(before.Items, a => a.Slug == "acme_crm");
        Assert.DoesNotContain(stale.Items, a => a.Slug == "acme_crm");
        Assert.Equal("Acme CRM", Assert.Single(seen.Items, a => a.Slug == "acme_crm").Name);
        Assert.Equal("Acme CRM", (await Reader.GetAppAsync("acme_crm"))!.Name);
    }

    [Fact]
    public async Task An_invalid_app_definition_is_refused_with_field_errors_and_not_stored()
    {
        var app = new AppDefinition
        {
            Slug = "broken",
            Name = "Broken",
            Categories = ["crm"],
            DocsUrl = "http://insecure.example/docs",
            AuthType = AuthType.OAuth2,
        };

        var error = await Assert.ThrowsAsync<CatalogValidationException>(() => Catalog.UpsertAppAsync(app, "ops"));

        Assert.Contains("docsUrl", error.Errors.Keys);
        Assert.Contains("oauth", error.Errors.Keys);
        Assert.Null(await Reader.GetAppAsync("broken"));
    }

    [Fact]
    public async Task A_disabled_app_leaves_the_listing_but_still_resolves_by_slug()
    {
        var change = await Catalog.SetAppDisabledAsync("github", disabled: true, "ops");

        var listed = await Reader.ListAppsAsync(new AppQuery { Text = "github", AtLeastRevision = change.Revision });
        var direct = await Reader.GetAppAsync("github");

        Assert.DoesNotContain(listed.Items, a => a.Slug == "github");
        Assert.True(direct?.Disabled);
    }

    [Fact]
    public async Task Typed_errors_arrive_typed_at_a_remote_caller()
    {
        var notFound = await Assert.ThrowsAsync<AppNotFoundException>(() => Catalog.SetAppDisabledAsync("no_such_app", true, "ops"));
        var exists = await Assert.ThrowsAsync<AppAlreadyInCatalogException>(() =>
            Catalog.SubmitRequestAsync(new AppRequestSubmission("GitHub", null, null, "a@example.com")));
        var missing = await Assert.ThrowsAsync<AppRequestNotFoundException>(() =>
            Catalog.TriageRequestAsync("req_missing", AppRequestStatus.Planned, null, "ops", null));

        Assert.Equal("no_such_app", notFound.Slug);
        Assert.Equal("github", exists.Slug);
        Assert.Equal("req_missing", missing.RequestId);
    }

    [Fact]
    public async Task Shipping_a_request_links_a_catalog_app_and_keeps_the_triage_history()
    {
        var opened = await Catalog.SubmitRequestAsync(new AppRequestSubmission("Widgetly", "https://widgetly.example", "for invoices", "a@example.com"));

        await Catalog.TriageRequestAsync(opened.Request.Id, AppRequestStatus.Planned, null, "ops", "Q3");
        var refused = await Assert.ThrowsAsync<InvalidTriageException>(() =>
            Catalog.TriageRequestAsync(opened.Request.Id, AppRequestStatus.Shipped, "not_an_app", "ops", null));
        var shipped = await Catalog.TriageRequestAsync(opened.Request.Id, AppRequestStatus.Shipped, "slack", "ops", "done");

        Assert.Contains("not_an_app", refused.Message, StringComparison.Ordinal);
        Assert.Equal(AppRequestStatus.Shipped, shipped.Status);
        Assert.Equal("slack", shipped.ShippedSlug);
        Assert.Equal([AppRequestStatus.Planned, AppRequestStatus.Shipped], shipped.History.Select(h => h.To));
        // The history names the API key the client called with (the console's), not the operator id the call claimed.
        Assert.All(shipped.History, h => Assert.Equal("console", h.OperatorId));
    }

    [Fact]
    public async Task A_vote_does_not_change_the_app_catalog_revision()
    {
        var before = await Catalog.GetSnapshotIfChangedAsync(-1);
        await Catalog.SubmitRequestAsync(new AppRequestSubmission("Gizmo Hub", null, null, "a@example.com"));
        await Catalog.SubmitRequestAsync(new AppRequestSubmission("Gizmo Hub", null, null, "b@example.com"));

        Assert.Null(await Catalog.GetSnapshotIfChangedAsync(before!.Revision));
    }
}

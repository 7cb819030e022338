using System.Text.Json.Serialization;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Host.Api;

/// <summary>The public JSON of the catalog: what a person or a workflow needs to pick and connect an app, never a secret.</summary>
public sealed record AppView(
    string Slug,
    string Name,
    AuthType AuthType,
    IReadOnlyList<string> Categories,
    string DocsUrl,
    [property: JsonPropertyName("oauth")] OAuthView? OAuth,
    IReadOnlyList<FieldView> Fields)
{
    public static AppView From(AppDefinition app, bool clientConfigured) => new(
        app.Slug, app.Name, app.AuthType, app.Categories, app.DocsUrl,
        app.OAuth is { } o ? new OAuthView(o.AuthorizeUrl, o.TokenUrl, o.RevokeUrl, o.DefaultScopes, o.ScopeSeparator, o.Pkce, clientConfigured) : null,
        app.Fields.Select(f => new FieldView(f.Name, f.Label, f.Secret, f.Pattern)).ToArray());
}

public sealed record OAuthView(
    string AuthorizeUrl,
    string TokenUrl,
    string? RevokeUrl,
    IReadOnlyList<string> DefaultScopes,
    string ScopeSeparator,
    bool Pkce,
    bool ClientConfigured);

public sealed record FieldView(string Name, string Label, bool Secret, string? Pattern);

/// <summary>One app in full: the list view plus what a connect screen shows.</summary>
public sealed record AppDetailView(
    string Slug,
    string Name,
    string? Description,
    AuthType AuthType,
    IReadOnlyList<string> Categories,
    IReadOnlyList<string> Aliases,
    string? WebsiteUrl,
    string DocsUrl,
    [property: JsonPropertyName("oauth")] OAuthView? OAuth,
    IReadOnlyList<FieldDetailView> Fields,
    bool Verifiable,
    bool Disabled)
{
    public static AppDetailView From(AppDefinition app, bool clientConfigured)
    {
        var summary = AppView.From(app, clientConfigured);
        return new(app.Slug, app.Name, app.Description, app.AuthType, app.Categories, app.Aliases, app.WebsiteUrl, app.DocsUrl,
            summary.OAuth,
            app.Fields.Select(f => new FieldDetailView(f.Name, f.Label, f.Secret, f.Pattern, f.HelpText, f.Required, f.MaxLength)).ToArray(),
            app.TestRequest is not null,
            app.Disabled);
    }
}

public sealed record FieldDetailView(string Name, string Label, bool Secret, string? Pattern, string? HelpText, bool Required, int MaxLength);

public sealed record AppListView(IReadOnlyList<AppView> Items, string? Next);

public sealed record AppRequestBody(string? Name, string? Url, string? Reason, string? RequestedBy);

public sealed record AppRequestView(string Id, string Name, string? Url, AppRequestStatus Status, int Votes)
{
    public static AppRequestView From(AppRequest request) => new(request.Id, request.Name, request.Url, request.Status, request.Votes);
}

public sealed record AppRequestListItemView(
    string Id, string Name, string? Url, AppRequestStatus Status, int Votes, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string? ShippedSlug)
{
    public static AppRequestListItemView From(AppRequest r) => new(r.Id, r.Name, r.Url, r.Status, r.Votes, r.CreatedAt, r.UpdatedAt, r.ShippedSlug);
}

public sealed record AppRequestListView(IReadOnlyList<AppRequestListItemView> Items, string? Next);

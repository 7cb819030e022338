using Accounts.Orleans.Contracts.Text;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>What an endpoint may be: an https URL with no credentials or fragment, known event types, a short printable description.</summary>
public static class WebhookEndpointRules
{
    public const string IdPrefix = "whep_";
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 200;

    public static bool IsId(string? id) => Contracts.Ids.TimeOrderedId.IsValid(id, IdPrefix);

    /// <summary>The spec with its event list de-duplicated and ordered, or every rule it breaks.</summary>
    /// <exception cref="WebhookValidationException">The URL, events or description break a rule.</exception>
    public static WebhookEndpointSpec Check(WebhookEndpointSpec? spec, bool allowLoopbackHttp)
    {
        if (spec is null) throw new WebhookValidationException("endpoint", "is required");
        var errors = new Dictionary<string, string[]>();
        var url = spec.Url?.Trim() ?? "";
        if (!PrintableText.IsPrintableAscii(url, MaxUrlLength))
            errors["url"] = [$"must be 1 to {MaxUrlLength} printable ASCII characters"];
        else if (!Contracts.Catalog.SafeUrl.IsAllowed(url, allowLoopbackHttp) || new Uri(url).Fragment.Length > 0)
            errors["url"] = ["must be an https URL without a user name, password or fragment"];
        var events = (spec.Events ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        if (events.Any(e => e is null || !WebhookEventTypes.IsKnown(e)))
            errors["events"] = [$"'{Shown(events.First(e => e is null || !WebhookEventTypes.IsKnown(e)))}' is not an event type; known: {string.Join(", ", WebhookEventTypes.All)}"];
        var description = spec.Description?.Trim();
        if (description is { Length: > MaxDescriptionLength } || (description is not null && PrintableText.HasHiddenCharacters(description)))
            errors["description"] = [$"must be at most {MaxDescriptionLength} printable characters"];
        if (errors.Count > 0) throw new WebhookValidationException(errors);
        return spec with { Url = url, Events = events!, Description = string.IsNullOrEmpty(description) ? null : description };
    }

    /// <summary>Whether an endpoint subscribed to <paramref name="events"/> takes <paramref name="type"/>; a ping only when sent to it.</summary>
    public static bool Takes(IReadOnlyCollection<string> events, string type, bool addressedToIt)
        => addressedToIt || (type != WebhookEventTypes.Ping && (events.Count == 0 || events.Contains(type)));

    private static string Shown(string? value) => value is null ? "null" : PrintableText.ToPrintableAscii(value, 40);
}

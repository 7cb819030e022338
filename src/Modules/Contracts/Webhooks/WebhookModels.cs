using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Webhooks;

/// <summary>What an operator or an API key sets on an endpoint.</summary>
[GenerateSerializer, Alias("webhooks.endpoint-spec"), Immutable]
public sealed record WebhookEndpointSpec
{
    /// <summary>Where events are POSTed: https (plain http only to loopback when the service allows it).</summary>
    [Id(0)] public required string Url { get; init; }
    /// <summary>The event types to send; empty means every type.</summary>
    [Id(1)] public IReadOnlyList<string> Events { get; init; } = [];
    [Id(2)] public string? Description { get; init; }
    [Id(3)] public bool Enabled { get; init; } = true;
}

[GenerateSerializer, Alias("webhooks.endpoint"), Immutable]
public sealed record WebhookEndpoint
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string WorkspaceId { get; init; }
    [Id(2)] public required string Url { get; init; }
    [Id(3)] public IReadOnlyList<string> Events { get; init; } = [];
    [Id(4)] public string? Description { get; init; }
    [Id(5)] public required bool Enabled { get; init; }
    [Id(6)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(7)] public required DateTimeOffset UpdatedAt { get; init; }
    /// <summary>While a rotated-out secret still signs deliveries: until then.</summary>
    [Id(8)] public DateTimeOffset? PreviousSecretUntil { get; init; }
    /// <summary>The secret's last four characters, to tell which one a receiver holds.</summary>
    [Id(9)] public required string SecretHint { get; init; }
}

/// <summary>An endpoint with its signing secret (<c>whsec_</c>…), shown only in the answer that made it.</summary>
[GenerateSerializer, Alias("webhooks.endpoint-created"), Immutable]
public sealed record WebhookEndpointCreated(
    [property: Id(0)] WebhookEndpoint Endpoint,
    [property: Id(1)] string Secret)
{
    public override string ToString() => $"WebhookEndpointCreated {{ Endpoint = {Endpoint.Id}, Secret = *** }}";
}

[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryStatus>))]
[GenerateSerializer, Alias("webhooks.delivery-status")]
public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first or next attempt.</summary>
    [JsonStringEnumMemberName("pending")] Pending = 0,
    /// <summary>The endpoint answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered = 1,
    /// <summary>Every attempt failed; kept for the dead-letter view until redelivered or purged.</summary>
    [JsonStringEnumMemberName("dead")] Dead = 2,
}

/// <summary>One event on its way to one endpoint.</summary>
[GenerateSerializer, Alias("webhooks.delivery"), Immutable]
public sealed record WebhookDelivery
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The event's id: the <c>webhook-id</c> header, the same on every attempt.</summary>
    [Id(1)] public required string EventId { get; init; }
    [Id(2)] public required string EventType { get; init; }
    [Id(3)] public required string EndpointId { get; init; }
    [Id(4)] public required string WorkspaceId { get; init; }
    [Id(5)] public required WebhookDeliveryStatus Status { get; init; }
    [Id(6)] public required int Attempts { get; init; }
    [Id(7)] public DateTimeOffset? NextAttemptAt { get; init; }
    /// <summary>The endpoint's HTTP status at the last attempt; null when it did not answer.</summary>
    [Id(8)] public int? LastStatus { get; init; }
    /// <summary>Why the last attempt failed, in the service's words (never the endpoint's answer body).</summary>
    [Id(9)] public string? LastError { get; init; }
    [Id(10)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(11)] public DateTimeOffset? DeliveredAt { get; init; }
}

[GenerateSerializer, Alias("webhooks.delivery-query"), Immutable]
public sealed record WebhookDeliveryQuery
{
    [Id(0)] public string? WorkspaceId { get; init; }
    [Id(1)] public string? EndpointId { get; init; }
    [Id(2)] public WebhookDeliveryStatus? Status { get; init; }
    [Id(3)] public int Limit { get; init; } = 50;
    [Id(4)] public string? Cursor { get; init; }
}

[GenerateSerializer, Alias("webhooks.delivery-page"), Immutable]
public sealed record WebhookDeliveryPage(
    [property: Id(0)] IReadOnlyList<WebhookDelivery> Items,
    [property: Id(1)] string? Next);

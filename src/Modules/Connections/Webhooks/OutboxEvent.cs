using System.Text.Json;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Ids;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>
/// Something a workspace's webhook endpoints hear about, as its producer records it: the id is fixed when the event
/// happens and travels as <c>webhook-id</c>, so a producer that hands it to the outbox twice, or a delivery retried
/// after a silo died, is one event to the receiver. <see cref="Data"/> holds ids, states and reasons, never a secret.
/// </summary>
[GenerateSerializer, Alias("webhooks.outbox-event")]
public sealed record OutboxEvent
{
    public const string IdPrefix = "msg_";

    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string WorkspaceId { get; init; }
    [Id(3)] public required DateTimeOffset OccurredAt { get; init; }
    [Id(4)] public Dictionary<string, string?> Data { get; init; } = new(StringComparer.Ordinal);
    /// <summary>For one endpoint only (a ping); null for every endpoint of the workspace that takes the type.</summary>
    [Id(5)] public string? EndpointId { get; init; }

    public static OutboxEvent New(string type, string workspaceId, TimeProvider time, Dictionary<string, string?> data, string? endpointId = null) => new()
    {
        Id = TimeOrderedId.New(IdPrefix, time),
        Type = type,
        WorkspaceId = workspaceId,
        OccurredAt = time.GetUtcNow(),
        Data = data,
        EndpointId = endpointId,
    };

    /// <summary>The body every endpoint receives, in the Standard Webhooks shape: <c>{ type, timestamp, data }</c>.</summary>
    public string Payload()
    {
        var data = new JsonObject();
        foreach (var (name, value) in Data.OrderBy(d => d.Key, StringComparer.Ordinal)) data[name] = value;
        data["workspace_id"] = WorkspaceId;
        return new JsonObject
        {
            ["type"] = Type,
            ["timestamp"] = OccurredAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
            ["data"] = data,
        }.ToJsonString(PayloadJson);
    }

    private static readonly JsonSerializerOptions PayloadJson = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

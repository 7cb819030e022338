using System.Text.Json;
using Orleans.Storage;

namespace Accounts.Orleans.Storage;

/// <summary>
/// Grain state as plain camelCase JSON. The stored bytes name no CLR type or assembly, so renaming or moving a
/// class never orphans a row; the declared state type alone says how to read it back.
/// </summary>
public sealed class JsonGrainStateSerializer : IGrainStorageSerializer
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        // Reading must tolerate fields a newer version added; renames are handled by keeping the JSON name.
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Skip,
    };

    public BinaryData Serialize<T>(T? input) => new(JsonSerializer.SerializeToUtf8Bytes(input, Options));

    public T Deserialize<T>(BinaryData input)
        => JsonSerializer.Deserialize<T>(input.ToMemory().Span, Options)
           ?? throw new JsonException($"Stored state of {typeof(T).Name} is JSON null.");
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// Writes <see cref="AccountHealth"/> by its snake_case name; reads that name and <c>error</c>, which stored accounts
/// and index rows written before <see cref="AccountHealth.Degraded"/> had its name still hold.
/// </summary>
public sealed class AccountHealthJsonConverter : JsonConverter<AccountHealth>
{
    private static readonly JsonStringEnumConverter<AccountHealth> Names = new();

    public override AccountHealth Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("error"u8)) return AccountHealth.Degraded;
        return ((JsonConverter<AccountHealth>)Names.CreateConverter(typeToConvert, options)).Read(ref reader, typeToConvert, options);
    }

    public override void Write(Utf8JsonWriter writer, AccountHealth value, JsonSerializerOptions options)
        => ((JsonConverter<AccountHealth>)Names.CreateConverter(typeof(AccountHealth), options)).Write(writer, value, options);
}

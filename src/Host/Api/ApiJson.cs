using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accounts.Orleans.Host.Api;

public static class ApiJson
{
    /// <summary>camelCase both ways; unknown request members are refused so a typo is not silently ignored.</summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };
}

/// <summary>A request the API refuses before any grain sees it (wrong media type, too large, not JSON).</summary>
public sealed class ApiInputException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

using System.Text.Json;
using System.Text.Json.Serialization;

namespace Accounts.Orleans.Host.Api;

public static class ApiJson
{
    /// <summary>
    /// camelCase both ways. Unknown request members are refused so a typo is not silently ignored, and so is a member
    /// given twice: parsers disagree on which copy wins, which is how a checked value and a used value drift apart.
    /// </summary>
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowDuplicateProperties = false,
    };
}

/// <summary>A request the API refuses before any grain sees it (wrong media type, too large, not JSON).</summary>
public sealed class ApiInputException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

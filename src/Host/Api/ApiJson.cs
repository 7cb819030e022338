using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;

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

/// <summary>Request bodies, read strictly and within a size cap.</summary>
public static class ApiBody
{
    /// <summary>
    /// The JSON body as <typeparamref name="T"/>: application/json, at most <paramref name="maxBytes"/> (enforced while
    /// reading, so a chunked body cannot exceed it either), no unknown or repeated member.
    /// </summary>
    /// <param name="shape">The expected body, for the error a malformed one gets (<c>{ "nickname" }</c>).</param>
    /// <exception cref="ApiInputException">Wrong media type (415), too large (413), or not JSON of that shape (400).</exception>
    public static async Task<T> ReadAsync<T>(HttpRequest request, long maxBytes, string shape, CancellationToken cancellationToken) where T : class
    {
        if (!request.HasJsonContentType()) throw new ApiInputException(StatusCodes.Status415UnsupportedMediaType, "The body must be application/json.");
        if (request.ContentLength > maxBytes) throw TooLarge(maxBytes);
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = maxBytes;
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(request.Body, ApiJson.Options, cancellationToken)
                   ?? throw new ApiInputException(StatusCodes.Status400BadRequest, "The body must be a JSON object.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw TooLarge(maxBytes);
        }
        catch (JsonException)
        {
            throw new ApiInputException(StatusCodes.Status400BadRequest, $"The body is not valid JSON of the expected shape: {shape}.");
        }
    }

    private static ApiInputException TooLarge(long maxBytes) => new(StatusCodes.Status413PayloadTooLarge, $"The body must be at most {maxBytes} bytes.");
}

/// <summary>A request the API refuses before any grain sees it (wrong media type, too large, not JSON).</summary>
public sealed class ApiInputException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// A request a <see cref="FakeTokenEndpoint"/> received. Header names are case-insensitive; repeated values are joined
/// with commas. <see cref="Form"/> is empty unless the body was <c>application/x-www-form-urlencoded</c>; any other body is
/// <see cref="Body"/>, as text. <see cref="Query"/> holds the query string's parameters.
/// </summary>
public sealed record RecordedRequest(
    string Method, string Path, IReadOnlyDictionary<string, string> Headers, IReadOnlyDictionary<string, string> Form, string Body = "",
    IReadOnlyDictionary<string, string>? Query = null)
{
    /// <summary>The query parameter, or <see langword="null"/> when absent.</summary>
    public string? QueryValue(string name) => Query?.TryGetValue(name, out var value) == true ? value : null;

    /// <summary>The form field, or <see langword="null"/> when absent: <c>request.Field("refresh_token")</c>.</summary>
    public string? Field(string name) => Form.TryGetValue(name, out var value) ? value : null;

    /// <summary>The header, or <see langword="null"/> when absent.</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

using System.Text;
using Accounts.Orleans.Connections.Tokens;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Connections.Tests.Tokens;

/// <summary>Builds token endpoint answers and reads the parser's verdict on them.</summary>
internal static class TokenEndpoint
{
    public static readonly DateTimeOffset Now = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public const string Json = "application/json";
    public const string Form = "application/x-www-form-urlencoded; charset=utf-8";

    public static TokenHttpResponse Answer(
        int status, string? body, string? contentType = Json, TimeSpan? retryAfter = null, bool truncated = false)
        => new(status, contentType, body is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(body), retryAfter, truncated);

    public static TokenResult Parse(
        TokenHttpResponse response, TokenResponseQuirks? quirks = null, string requestedScopeSeparator = " ", string? sentRefreshToken = null)
        => TokenResponseParser.Parse(response, quirks, requestedScopeSeparator, Now, sentRefreshToken);

    public static TokenGrant Granted(TokenResult result) => Assert.IsType<TokenResult.Success>(result).Grant;

    public static TokenFailure Failure(TokenResult result) => Assert.IsType<TokenResult.Failed>(result).Failure;

    public static TokenGrant GrantFrom(string json, TokenResponseQuirks? quirks = null, string requestedScopeSeparator = " ")
        => Granted(Parse(Answer(200, json), quirks, requestedScopeSeparator));

    public static TokenFailure FailureFrom(int status, string? body, string? contentType = Json, string? sentRefreshToken = null)
        => Failure(Parse(Answer(status, body, contentType), sentRefreshToken: sentRefreshToken));
}

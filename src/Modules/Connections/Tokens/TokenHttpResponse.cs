namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// A token endpoint's answer as the HTTP layer hands it over: the body is capped at <see cref="MaxBodyBytes"/>
/// (<see cref="Truncated"/> says the cap was hit) and Retry-After is already parsed into a delay.
/// </summary>
public sealed record TokenHttpResponse(int StatusCode, string? ContentType, ReadOnlyMemory<byte> Body, TimeSpan? RetryAfter, bool Truncated)
{
    public const int MaxBodyBytes = 64 * 1024;
}

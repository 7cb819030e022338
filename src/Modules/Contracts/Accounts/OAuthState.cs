using System.Buffers.Text;
using System.Security.Cryptography;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// The <c>state</c> of an OAuth authorization, and the key of its <see cref="IOAuthFlowGrain"/>: 256 random bits in
/// base64url, unguessable and safe in a URL. A callback whose state has another shape was not issued here.
/// </summary>
public static class OAuthState
{
    public const int Length = 43;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string? state) => state is { Length: Length } && Base64Url.IsValid(state);
}

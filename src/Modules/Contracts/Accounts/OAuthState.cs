using System.Buffers.Text;
using System.Security.Cryptography;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// The <c>state</c> of an OAuth authorization: 256 random bits in base64url, unguessable and safe in a URL. A callback
/// whose state has another shape was not issued here. Its <see cref="IOAuthFlowGrain"/> is keyed by a hash of it
/// (<see cref="FlowKey"/>), so the state itself never shows up as a grain id in traces, logs or storage.
/// </summary>
public static class OAuthState
{
    public const int Length = 43;

    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static bool IsWellFormed(string? state) => state is { Length: Length } && Base64Url.IsValid(state);

    /// <summary>The key of the flow grain for <paramref name="state"/>.</summary>
    public static string FlowKey(string state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return Base64Url.EncodeToString(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(state)));
    }

    /// <summary>The flow <paramref name="state"/> belongs to.</summary>
    public static IOAuthFlowGrain OAuthFlow(this IGrainFactory grains, string state) => grains.GetGrain<IOAuthFlowGrain>(FlowKey(state));

    /// <summary>The flow <paramref name="state"/> belongs to, as the Host's pages see it.</summary>
    public static IOAuthBrowserFlowGrain OAuthBrowserFlow(this IGrainFactory grains, string state) => grains.GetGrain<IOAuthBrowserFlowGrain>(FlowKey(state));
}

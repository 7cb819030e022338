using System.Collections.Concurrent;
using Accounts.Orleans.Access.Keys;
using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Access;

/// <summary>
/// Turns what a call carries into the principal it acts for: an API key, checked against its stored hash, or the
/// silo's own mark, checked against the cluster's key ring. Keys are remembered for two seconds per silo, so a warm
/// call costs a dictionary lookup and one hash, and a revoke is in force everywhere two seconds later.
/// </summary>
public sealed class PrincipalResolver(IGrainFactory grains, ClusterMac mac)
{
    /// <summary>The silo's mark on work it starts itself (endpoints, background services, timers): a name and a tag of the ring.</summary>
    public const string SystemContextKey = "accounts.system";

    private const string SystemPurpose = "system-principal";
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Far more keys than a deployment has: past it, stale entries go, and if the rest are fresh (a client trying
    /// made-up ids) nothing more is remembered, so no caller can grow a silo's memory by inventing ids.
    /// </summary>
    public const int MaxRemembered = 4096;

    private readonly ConcurrentDictionary<string, Known> _keys = new(StringComparer.Ordinal);

    /// <summary>A key as last fetched, with the principal it stands for (made once, not per call).</summary>
    private sealed record Known(StoredApiKey? Key, Principal? Principal, long FetchedAt);

    /// <summary>The verified principal of the current call, or null when it carries nothing valid.</summary>
    public ValueTask<Principal?> ResolveAsync()
    {
        if (RequestContext.Get(SystemContextKey) is string system) return new(VerifySystem(system));
        return ResolveKeyAsync(RequestContext.Get(ApiKeyContext.Key) as string);
    }

    /// <summary>The principal an API key stands for, or null when it is malformed, unknown, revoked or wrong.</summary>
    public ValueTask<Principal?> ResolveKeyAsync(string? apiKey)
    {
        if (!ApiKeySecret.TryParse(apiKey, out var id, out var secret)) return new((Principal?)null);
        if (_keys.TryGetValue(id, out var known) && TimeProvider.System.GetElapsedTime(known.FetchedAt) < Freshness)
            return new(Check(known, secret));
        return FetchAsync(id, secret);
    }

    /// <summary>The mark that makes the calls of the current flow act as the service itself, named <paramref name="name"/>.</summary>
    public string SystemMark(string name) => $"{name}|{mac.Sign(SystemPurpose, name)}";

    /// <summary>
    /// Where a silo leaves proof that a call comes from one of its grains, not straight from a client: a client can
    /// set any request context value and any sending grain id, but cannot make this tag.
    /// </summary>
    public const string HopContextKey = "accounts.hop";

    private const string HopPurpose = "grain-hop";

    public string HopMark(GrainId target) => mac.Sign(HopPurpose, target.ToString());

    /// <summary>Whether the current call was made by a grain of this cluster (see <see cref="HopContextKey"/>).</summary>
    public bool IsHopFromGrain(GrainId target)
        => RequestContext.Get(HopContextKey) is string mark && mac.Verify(HopPurpose, target.ToString(), mark);

    private async ValueTask<Principal?> FetchAsync(string id, string secret)
    {
        // The lookup is the silo's own call, not the caller's; an async method's changes to the context stay inside it.
        RequestContext.Clear();
        RequestContext.Set(SystemContextKey, SystemMark("apikeys"));
        var key = await grains.GetGrain<IApiKeyLookupGrain>(0).FindAsync(id);
        var known = new Known(key, key is { RevokedAt: null } ? new Principal(key.Name, key.WorkspaceId, key.Scopes, IsSystem: false) : null,
            TimeProvider.System.GetTimestamp());
        Remember(id, known);
        return Check(known, secret);
    }

    /// <summary>How many keys this silo remembers right now.</summary>
    public int Remembered => _keys.Count;

    private void Remember(string id, Known known)
    {
        if (_keys.Count >= MaxRemembered && !_keys.ContainsKey(id))
        {
            foreach (var (staleId, stale) in _keys)
            {
                if (TimeProvider.System.GetElapsedTime(stale.FetchedAt) >= Freshness) _keys.TryRemove(staleId, out _);
            }
            if (_keys.Count >= MaxRemembered) return;
        }
        _keys[id] = known;
    }

    private static Principal? Check(Known known, string secret)
        => known is { Key: { } key, Principal: { } principal } && ApiKeySecret.Matches(secret, key.Hash) ? principal : null;

    private Principal? VerifySystem(string mark)
    {
        var bar = mark.IndexOf('|', StringComparison.Ordinal);
        return bar > 0 && mac.Verify(SystemPurpose, mark[..bar], mark[(bar + 1)..]) ? Principal.System(mark[..bar]) : null;
    }
}

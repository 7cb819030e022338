using Accounts.Orleans.Contracts.Access;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// Which workspaces the current call may touch, from the principal the silo verified (<see cref="Principal.Current"/>),
/// never from the request: a key of one workspace sees another workspace's account exactly as it sees an id nobody
/// has, so a guess learns nothing. Calls the silo makes on its own account (timers, the sweeper) see every workspace.
/// </summary>
public static class Tenancy
{
    /// <summary>Whether the caller may see an account of <paramref name="workspaceId"/>.</summary>
    public static bool Sees(string workspaceId) => Principal.Current is not { } principal || principal.CanSee(workspaceId);

    /// <summary>The workspace a listing is confined to: the caller's own when its key has one; null when it names another.</summary>
    public static bool TryConfine(string? requested, out string? confined)
    {
        confined = requested;
        if (Principal.Current is not { WorkspaceId: { } own }) return true;
        confined = own;
        return requested is null || requested == own;
    }

    /// <summary>Refuses a new account, or a flow, in a workspace the caller's key does not belong to.</summary>
    /// <exception cref="PermissionDeniedException">The key belongs to another workspace.</exception>
    public static void RequireOwn(string workspaceId)
    {
        if (!Sees(workspaceId)) throw new PermissionDeniedException($"workspace:{workspaceId}");
    }
}

using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Ids;
using Accounts.Orleans.Contracts.Storage;

namespace Accounts.Orleans.Access.Keys;

public sealed class ApiKeyRegistryGrain(
    [PersistentState("apikeys", StorageNames.Grains)] IPersistentState<ApiKeyRegistryState> state,
    IAuditLog audit,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time) : Grain, IApiKeyRegistryGrain, IApiKeyLookupGrain
{

    public async Task<ApiKeyCreated> CreateAsync(ApiKeyRequest request)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!IsName(request.Name)) errors["name"] = ["must be 1-64 letters, digits, '-', '_' or '.'"];
        else if (state.State.Keys.Values.Any(k => k.RevokedAt is null && k.Name == request.Name)) errors["name"] = ["a live key already has this name"];
        if (request.WorkspaceId is { } workspace && !WorkspaceIds.IsValid(workspace)) errors["workspaceId"] = [WorkspaceIds.Rule];
        if (request.Scopes.Count == 0 || request.Scopes.Any(s => !Scopes.All.Contains(s)))
            errors["scopes"] = [$"must be one or more of: {string.Join(", ", Scopes.All)}"];
        if (errors.Count > 0) throw new AccountValidationException(errors);

        var (id, key, hash) = ApiKeySecret.Generate();
        var stored = new StoredApiKey(id, request.Name, hash, request.WorkspaceId, [.. request.Scopes.Distinct(StringComparer.Ordinal)],
            time.GetUtcNow(), Principal.Current?.Name ?? "unknown", RevokedAt: null);
        state.State.Keys[id] = stored;
        await state.WriteOrStartOverAsync(DeactivateOnIdle);
        Audit(stored, "apikey_created", $"{stored.WorkspaceId ?? "all workspaces"}: {string.Join(",", stored.Scopes)}");
        return new ApiKeyCreated(key, stored.View());
    }

    public Task<IReadOnlyList<ApiKeyView>> ListAsync()
        => Task.FromResult<IReadOnlyList<ApiKeyView>>([.. state.State.Keys.Values.OrderBy(k => k.CreatedAt).Select(k => k.View())]);

    public async Task<bool> RevokeAsync(string name)
    {
        var live = state.State.Keys.Values.FirstOrDefault(k => k.RevokedAt is null && k.Name == name);
        if (live is null) return false;
        state.State.Keys[live.Id] = live with { RevokedAt = time.GetUtcNow() };
        await state.WriteOrStartOverAsync(DeactivateOnIdle);
        Audit(live, "apikey_revoked", detail: null);
        return true;
    }

    private void Audit(StoredApiKey key, string action, string? detail)
        => audit.Record(new AuditEvent(time.GetUtcNow(), ApiKeyContext.AuditSubject(key.Name), key.WorkspaceId ?? "", action, Principal.Actor("unknown")!, WorkflowId: null, StepId: null, detail));

    public Task<StoredApiKey?> FindAsync(string id) => Task.FromResult(state.State.Keys.GetValueOrDefault(id));

    private static bool IsName(string name)
        => name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}

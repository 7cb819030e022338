using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.Webhooks;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// Tells the workspaces that use an app, and the operator's log, that its OAuth client secret expires within 30 days,
/// then within 7 (<see cref="ClientSecretAnnouncements"/> decides which are due). Each announcement is remembered once
/// its events are in the outbox: a failure before that repeats it at the next check rather than losing it.
/// </summary>
[GrainType("accounts.oauth-client-expiry-watch")]
public sealed partial class ClientSecretWatchGrain(
    [PersistentState(ClientSecretWatchGrain.StateName, StorageNames.Grains)] IPersistentState<ClientSecretWatchState> state,
    IGrainFactory grains,
    AccountIndex index,
    EventOutbox outbox,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<ClientSecretWatchGrain> logger) : Grain, IClientSecretWatchGrain
{
    public const string StateName = "oauth-client-expiry-watch";

    private HashSet<string> Announced => state.State.Announced;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Another key would announce every warning a second time.
        if (this.GetPrimaryKeyLong() != 0) throw new InvalidOperationException("The OAuth client expiry watch is the grain with key 0.");
        return Task.CompletedTask;
    }

    async Task<int> IClientSecretWatchGrain.CheckAsync()
    {
        var clients = await grains.GetGrain<IOAuthClientStoreGrain>(0).ListAsync();
        var (due, forget) = ClientSecretAnnouncements.Plan(clients, Announced, time.GetUtcNow());
        var appended = 0;
        foreach (var announcement in due)
        {
            var workspaces = await index.WorkspacesWithAppAsync(announcement.AppSlug, CancellationToken.None);
            var events = workspaces.Select(w => OutboxEvent.New(WebhookEventTypes.OAuthClientExpiring, w, time, announcement.Data())).ToArray();
            await outbox.AppendAsync(events, CancellationToken.None);
            Announced.UnionWith(announcement.Settles);
            await state.WriteOrStartOverAsync(DeactivateOnIdle);
            LogExpiring(logger, announcement.AppSlug, announcement.ClientId, announcement.DaysLeft, announcement.ExpiresAt, workspaces.Count);
            appended += events.Length;
        }
        if (forget.Count > 0)
        {
            Announced.ExceptWith(forget);
            await state.WriteOrStartOverAsync(DeactivateOnIdle, clear: Announced.Count == 0);
        }
        return appended;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The OAuth client secret of {App} (client id {ClientId}) expires in {DaysLeft} day(s), on {ExpiresAt:O}: get a new secret from the app, and store it as the next secret, then as the current one ({Workspaces} workspace(s) told)")]
    private static partial void LogExpiring(ILogger logger, string app, string clientId, int daysLeft, DateTimeOffset expiresAt, int workspaces);
}

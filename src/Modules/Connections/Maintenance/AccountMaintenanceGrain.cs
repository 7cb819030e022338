using System.Collections.Concurrent;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.Maintenance;

/// <summary>
/// Operator work across all accounts: key re-wrap after a rotation (stored OAuth client secrets and webhook endpoint
/// secrets included), and rebuilding the index.
/// </summary>
[GrainType("accounts.maintenance")]
public sealed partial class AccountMaintenanceGrain(
    AccountIndex index,
    GrainStateTable grainStates,
    EnvelopeCipher cipher,
    IGrainFactory grains,
    IOptions<ConnectionsOptions> options,
    AuditTrail audit,
    Webhooks.WebhookEndpointTable webhookEndpoints,
    Webhooks.WebhookSecrets webhookSecrets,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<AccountMaintenanceGrain> logger) : Grain, IAccountMaintenanceGrain
{
    private const int Concurrency = 8;

    /// <summary>The audit trail's subject for work across all accounts.</summary>
    public const string AuditSubject = "maintenance";

    async Task<MaintenanceReport> IAccountMaintenanceGrain.RewrapAllAsync(string actor)
    {
        var who = AccountRules.Actor(actor);
        int done = 0, skipped = 0;
        var failed = new ConcurrentBag<string>();
        var activeKey = cipher.ActiveKeyId;
        // Walks the stored grain state, not the derived index: an account the index lost or never saw still holds a
        // secret sealed under the old key, and retiring that key would orphan it. Only rows under another key activate.
        var stored = grainStates.ReadAllAsync<ConnectedAccountState>(ConnectedAccountGrain.StateName, CancellationToken.None);
        await Parallel.ForEachAsync(stored, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (row, _) =>
        {
            var (id, state) = row;
            if (state.SealedSecrets is null || !AccountIds.IsValid(id)) return;
            try
            {
                if (EnvelopeCipher.MasterKeyIdOf(state.SealedSecrets) == activeKey) Interlocked.Increment(ref skipped);
                else if (await grains.GetGrain<IAccountLifecycleGrain>(id).RewrapAsync()) Interlocked.Increment(ref done);
                else Interlocked.Increment(ref skipped);
            }
            catch (Exception e) when (e is AccountException or CredentialEnvelopeException)
            {
                failed.Add(id);
            }
        });
        LogRewrapped(logger, done, skipped, failed.Count, who);

        // The OAuth client secrets operators stored are sealed under the same ring, so they must move too before an old key goes.
        var clients = await grains.GetGrain<IOAuthClientStoreGrain>(0).RewrapAsync();
        LogClientsRewrapped(logger, clients.Done, clients.Skipped, clients.Failed.Count, who);
        // And the webhook endpoints' signing secrets: under a retired key, every delivery of their workspace would stop.
        var hooks = await RewrapWebhookSecretsAsync();
        LogWebhooksRewrapped(logger, hooks.Done, hooks.Skipped, hooks.Failed.Count, who);
        var report = new MaintenanceReport(done + clients.Done + hooks.Done, skipped + clients.Skipped + hooks.Skipped,
            failed.Order(StringComparer.Ordinal).Concat(clients.Failed).Concat(hooks.Failed).ToArray());
        Audit("rewrap_all", who, report);
        return report;
    }

    private async Task<MaintenanceReport> RewrapWebhookSecretsAsync()
    {
        int done = 0, skipped = 0;
        var failed = new List<string>();
        foreach (var row in await webhookEndpoints.ListAsync(workspaceId: null, CancellationToken.None))
        {
            try
            {
                // Both before either is stored: an endpoint's secrets move together or not at all.
                var secret = webhookSecrets.Rewrap(row.SealedSecret, row.WorkspaceId, row.Id);
                var previous = row.SealedPrevious is { } sealedPrevious ? webhookSecrets.Rewrap(sealedPrevious, row.WorkspaceId, row.Id) : null;
                if (secret is null && previous is null
                    || !await webhookEndpoints.ReplaceSealedAsync(row, secret ?? row.SealedSecret, previous, CancellationToken.None)) skipped++;
                else done++;
            }
            catch (CredentialEnvelopeException)
            {
                failed.Add("webhook-endpoint:" + row.Id);
            }
        }
        return new MaintenanceReport(done, skipped, failed);
    }

    async Task<MaintenanceReport> IAccountMaintenanceGrain.RebuildIndexAsync(string actor)
    {
        var who = AccountRules.Actor(actor);
        int done = 0, skipped = 0;
        await foreach (var (id, state) in grainStates.ReadAllAsync<ConnectedAccountState>(ConnectedAccountGrain.StateName, CancellationToken.None))
        {
            if (state.WorkspaceId is null || !AccountIds.IsValid(id))
            {
                skipped++;
                continue;
            }
            await index.UpsertAsync(AccountSummaries.Of(id, state, options.Value.DefaultRefreshMargin), state.DeletedAt is not null, CancellationToken.None);
            done++;
        }
        LogRebuilt(logger, done, who);
        var report = new MaintenanceReport(done, skipped, []);
        Audit("rebuild_index", who, report);
        return report;
    }

    private void Audit(string action, string actor, MaintenanceReport report)
        => audit.Record(new AuditEvent(time.GetUtcNow(), AuditSubject, WorkspaceId: "", action, actor, WorkflowId: null, StepId: null,
            $"{report.Done} done, {report.Skipped} skipped, {report.Failed.Count} failed"));

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-wrapped {Done} account(s) under the active master key ({Skipped} already were, {Failed} failed), by {Actor}")]
    private static partial void LogRewrapped(ILogger logger, int done, int skipped, int failed, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-wrapped {Done} stored OAuth client secret(s) under the active master key ({Skipped} already were or have none, {Failed} failed), by {Actor}")]
    private static partial void LogClientsRewrapped(ILogger logger, int done, int skipped, int failed, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Re-wrapped {Done} webhook endpoint(s)' signing secrets under the active master key ({Skipped} already were, {Failed} failed), by {Actor}")]
    private static partial void LogWebhooksRewrapped(ILogger logger, int done, int skipped, int failed, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Rebuilt the account index from {Done} stored account(s), by {Actor}")]
    private static partial void LogRebuilt(ILogger logger, int done, string actor);
}

using System.Text;
using Accounts.Orleans.Connections.Accounts;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Vault.Envelopes;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>
/// The OAuth clients operators enter at run time, one grain per deployment (key 0). A client secret is sealed before
/// it reaches state and is never returned; configuration (<see cref="OAuthClientsOptions"/>) always wins over what is
/// stored here. Changes are audited under the subject <c>oauth-client:&lt;slug&gt;</c>.
/// </summary>
[GrainType("accounts.oauth-clients")]
public sealed partial class OAuthClientRegistryGrain(
    [PersistentState(OAuthClientRegistryGrain.StateName, StorageNames.Grains)] IPersistentState<OAuthClientRegistryState> state,
    EnvelopeCipher cipher,
    IGrainFactory grains,
    IOptionsMonitor<OAuthClientsOptions> configured,
    IOptions<ConnectionsOptions> connections,
    AuditTrail audit,
    [FromKeyedServices(ServiceClock.Key)] TimeProvider time,
    ILogger<OAuthClientRegistryGrain> logger) : Grain, IOAuthClientRegistryGrain, IOAuthClientStoreGrain
{
    /// <summary>The stored state's name; the Host counts rows by it before it may generate a new master key.</summary>
    public const string StateName = "oauth-clients";

    public const string SetAction = "oauth_client_set";
    public const string RemovedAction = "oauth_client_removed";

    private Dictionary<string, StoredOAuthClient> Stored => state.State.Clients;

    /// <summary>The audit trail's subject for an app's client (where an account's events carry the account id).</summary>
    public static string AuditSubject(string appSlug) => "oauth-client:" + appSlug;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Another key would be a second registry that nothing reads from.
        if (this.GetPrimaryKeyLong() != 0) throw new InvalidOperationException("The OAuth client registry is the grain with key 0.");
        return Task.CompletedTask;
    }

    Task<IReadOnlyList<OAuthClientStatus>> IOAuthClientRegistryGrain.ListAsync() => Task.FromResult<IReadOnlyList<OAuthClientStatus>>(List());

    Task<IReadOnlyList<OAuthClientStatus>> IOAuthClientStoreGrain.ListAsync() => Task.FromResult<IReadOnlyList<OAuthClientStatus>>(List());

    private OAuthClientStatus[] List()
    {
        var options = configured.CurrentValue;
        var now = time.GetUtcNow();
        var fromConfiguration = options.Where(c => options.IsConfigured(c.Key)).Select(c => OAuthClientStatuses.FromConfiguration(c.Key, c.Value, now));
        var stored = Stored.Where(c => !options.IsConfigured(c.Key)).Select(c => OAuthClientStatuses.FromStored(c.Key, c.Value, now));
        return fromConfiguration.Concat(stored).OrderBy(c => c.AppSlug, StringComparer.Ordinal).ToArray();
    }

    Task<string> IOAuthClientRegistryGrain.GetCallbackUrlAsync() => Task.FromResult(connections.Value.RedirectUri
        ?? throw new InvalidOperationException($"{ConnectionsOptions.Section}:RedirectUri is not set."));

    async Task<OAuthClientStatus> IOAuthClientRegistryGrain.SetAsync(OAuthClientRegistration registration)
    {
        var (clientId, secret, errors) = OAuthClientRules.Check(registration);
        if (!AccountRules.IsIdentifier(registration.Actor)) errors["actor"] = [AccountRules.IdentifierRule];
        var app = errors.ContainsKey("appSlug") ? null : await grains.GetGrain<IAppCatalogReaderGrain>(0).GetAppAsync(registration.AppSlug);
        if (app is null || app.Disabled) errors.TryAdd("appSlug", ["is not an app in the catalog"]);
        else if (!app.AuthType.Consents()) errors["appSlug"] = [$"'{app.Slug}' connects with keys, not OAuth"];
        if (errors.Count > 0) throw new AccountValidationException(errors);
        if (configured.CurrentValue.IsConfigured(app!.Slug)) throw new OAuthClientInConfigurationException(app.Slug);

        var actor = AccountRules.Actor(registration.Actor);
        var next = OAuthClientRules.NextSecret(registration);
        var client = new StoredOAuthClient
        {
            ClientId = clientId,
            SealedSecret = Seal(app.Slug, secret),
            SealedNextSecret = Seal(app.Slug, next),
            SecretExpiresAt = registration.SecretExpiresAt,
            NextSecretExpiresAt = next is null ? null : registration.NextSecretExpiresAt,
            UpdatedAt = time.GetUtcNow(),
            UpdatedBy = actor,
        };
        var replaced = Stored.ContainsKey(app.Slug);
        Stored[app.Slug] = client;
        await SaveAsync();
        Audit(app.Slug, SetAction, actor, $"{(replaced ? "replaced" : "added")}; client id {clientId}; {(secret is null ? "public client, no secret" : "secret stored sealed")}"
            + (client.SecretExpiresAt is { } expires ? $", expires {expires:O}" : "")
            + (next is null ? "" : "; next secret stored sealed" + (client.NextSecretExpiresAt is { } nextExpires ? $", expires {nextExpires:O}" : "")));
        LogSet(logger, app.Slug, clientId, secret is not null, next is not null, actor);
        return OAuthClientStatuses.FromStored(app.Slug, client, time.GetUtcNow());
    }

    async Task IOAuthClientRegistryGrain.RemoveAsync(string appSlug, string actor)
    {
        if (!AppSlug.IsValid(appSlug)) throw AccountRules.Invalid("appSlug", AppSlug.Rule);
        var who = AccountRules.Actor(actor);
        if (!Stored.Remove(appSlug))
        {
            if (configured.CurrentValue.IsConfigured(appSlug)) throw new OAuthClientInConfigurationException(appSlug);
            return;
        }
        await SaveAsync();
        Audit(appSlug, RemovedAction, who, null);
        LogRemoved(logger, appSlug, who);
    }

    Task<SealedOAuthClient?> IOAuthClientStoreGrain.FindAsync(string appSlug)
        => Task.FromResult(appSlug is not null && Stored.TryGetValue(appSlug, out var client)
            ? new SealedOAuthClient(client.ClientId, client.SealedSecret) { SealedNextSecret = client.SealedNextSecret }
            : null);

    async Task<MaintenanceReport> IOAuthClientStoreGrain.RewrapAsync()
    {
        int done = 0, skipped = 0;
        var failed = new List<string>();
        foreach (var (slug, client) in Stored)
        {
            try
            {
                if (IsCurrent(client.SealedSecret) && IsCurrent(client.SealedNextSecret))
                {
                    skipped++;
                    continue;
                }
                // Both before either is assigned: a client is moved whole or not at all.
                var secret = Rewrap(slug, client.SealedSecret);
                var next = Rewrap(slug, client.SealedNextSecret);
                (client.SealedSecret, client.SealedNextSecret) = (secret, next);
                done++;
            }
            catch (CredentialEnvelopeException e)
            {
                LogCannotOpen(logger, slug, e.Message);
                failed.Add(AuditSubject(slug));
            }
        }
        if (done > 0) await SaveAsync();
        return new MaintenanceReport(done, skipped, failed);
    }

    private byte[]? Seal(string appSlug, string? secret)
        => secret is null ? null : cipher.Seal(Encoding.UTF8.GetBytes(secret), StoredOAuthClient.Binding(appSlug));

    private bool IsCurrent(byte[]? sealedSecret) => sealedSecret is null || EnvelopeCipher.MasterKeyIdOf(sealedSecret) == cipher.ActiveKeyId;

    private byte[]? Rewrap(string appSlug, byte[]? sealedSecret)
        => IsCurrent(sealedSecret) ? sealedSecret : cipher.Rewrap(sealedSecret!, StoredOAuthClient.Binding(appSlug));

    /// <summary>Stores the registry, or clears it when it is empty (so the Host sees no sealed clients).</summary>
    private Task SaveAsync() => state.WriteOrStartOverAsync(DeactivateOnIdle, clear: Stored.Count == 0);

    private void Audit(string appSlug, string action, string actor, string? detail)
        => audit.Record(new AuditEvent(time.GetUtcNow(), AuditSubject(appSlug), WorkspaceId: "", action, actor, WorkflowId: null, StepId: null, detail));

    [LoggerMessage(Level = LogLevel.Information, Message = "OAuth client of {App} stored (client id {ClientId}, has secret: {HasSecret}, has next secret: {HasNextSecret}) by {Actor}")]
    private static partial void LogSet(ILogger logger, string app, string clientId, bool hasSecret, bool hasNextSecret, string actor);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stored OAuth client of {App} removed by {Actor}")]
    private static partial void LogRemoved(ILogger logger, string app, string actor);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot open the stored OAuth client secret of {App}: {Problem}")]
    private static partial void LogCannotOpen(ILogger logger, string app, string problem);
}

using System.Text.Json;
using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Vault.Envelopes;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Connections.Accounts;

/// <summary>
/// One connected account: the single writer of its state. Every call that names a workspace is checked against the
/// account's before a secret is opened; a warm credential read touches neither storage nor the network (last-used
/// time and the audit event are buffered).
/// </summary>
[GrainType("accounts.account")]
public sealed partial class ConnectedAccountGrain(
    [PersistentState("account", StorageNames.Grains)] IPersistentState<ConnectedAccountState> state,
    EnvelopeCipher cipher,
    AccountIndex index,
    AuditTrail audit,
    TimeProvider time,
    ILogger<ConnectedAccountGrain> logger) : Grain, IConnectedAccountGrain, IAccountLifecycleGrain
{
    private static readonly TimeSpan LastUsedFlushPeriod = TimeSpan.FromMinutes(1);
    private const int MaxLinks = 1000;

    private AccountSecrets? _secrets;
    private bool _lastUsedUnsaved;
    private bool _indexStale;

    private string Id => this.GetPrimaryKeyString();

    private ConnectedAccountState Account => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        this.RegisterGrainTimer(SaveLastUsedAsync, new GrainTimerCreationOptions(LastUsedFlushPeriod, LastUsedFlushPeriod) { Interleave = false, KeepAlive = false });
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (state.RecordExists) await SaveLastUsedAsync(cancellationToken);
    }

    Task<AccountSummary> IConnectedAccountGrain.GetAsync() => Task.FromResult(Summary(RequireExisting()));

    Task<CredentialBundle> IConnectedAccountGrain.GetCredentialsAsync(CredentialRequest request)
    {
        var account = RequireWorkspace(request.WorkspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        var step = new WorkflowStep(request.WorkflowId, request.StepId);
        if (!account.Links.Contains(step)) throw new StepNotLinkedException(Id, step);
        if (account.Health == AccountHealth.NeedsReconnect) throw new AccountNeedsReconnectException(Id, account.HealthReason ?? "the app refused its credentials");

        var secrets = OpenSecrets(account);
        account.LastUsedAt = time.GetUtcNow();
        _lastUsedUnsaved = true;
        Audit("credentials_read", $"workflow:{request.WorkflowId}", step);
        return Task.FromResult(new CredentialBundle
        {
            AccountId = Id,
            AppSlug = account.AppSlug,
            AuthType = account.AuthType,
            AccessToken = secrets.AccessToken,
            TokenType = secrets.TokenType,
            ExpiresAt = account.AccessTokenExpiresAt,
            Scopes = account.Scopes,
            Fields = secrets.Fields,
        });
    }

    async Task<AccountSummary> IConnectedAccountGrain.LinkAsync(string workspaceId, WorkflowStep step)
    {
        var account = RequireWorkspace(workspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        CheckStep(step);
        if (!account.Links.Contains(step))
        {
            if (account.Links.Count >= MaxLinks) throw Invalid("step", $"an account can be linked to at most {MaxLinks} steps");
            account.Links.Add(step);
            await SaveAsync("linked", $"workflow:{step.WorkflowId}", step);
        }
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.UnlinkAsync(string workspaceId, WorkflowStep step)
    {
        var account = RequireWorkspace(workspaceId);
        if (account.Links.Remove(step)) await SaveAsync("unlinked", $"workflow:{step.WorkflowId}", step);
        return Summary(account);
    }

    async Task<AccountSummary> IConnectedAccountGrain.RenameAsync(string nickname, string actor)
    {
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        var checkedName = AccountRules.Nickname(nickname);
        if (checkedName != account.Nickname)
        {
            account.Nickname = checkedName;
            await SaveAsync("renamed", AccountRules.Actor(actor));
        }
        return Summary(account);
    }

    Task<AccountSummary> IConnectedAccountGrain.RefreshAsync(string actor)
    {
        var account = RequireExisting();
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        // Key-based credentials have nothing to refresh; OAuth refresh arrives with the token lifecycle.
        return Task.FromResult(Summary(account));
    }

    async Task<AccountSummary> IConnectedAccountGrain.DeleteAsync(bool force, string actor)
    {
        var account = RequireExisting();
        if (account.DeletedAt is not null) return Summary(account);
        if (account.Links.Count > 0 && !force) throw new AccountStillLinkedException(Id, account.Links.ToArray());

        var unlinked = account.Links.Count;
        account.SealedSecrets = null;
        account.DisplayFields.Clear();
        account.Links.Clear();
        account.AccessTokenExpiresAt = null;
        account.DeletedAt = time.GetUtcNow();
        account.Health = AccountHealth.Deleted;
        account.HealthReason = "deleted";
        _secrets = null;
        await SaveAsync("deleted", AccountRules.Actor(actor), detail: unlinked > 0 ? $"unlinked {unlinked} step(s)" : null);
        return Summary(account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.CreateWithKeysAsync(NewKeyAccount request)
    {
        if (Account.WorkspaceId is not null) throw new InvalidOperationException($"Account {Id} already exists.");
        var now = time.GetUtcNow();
        Account.WorkspaceId = request.WorkspaceId;
        Account.AppSlug = request.AppSlug;
        Account.Nickname = request.Nickname;
        Account.AuthType = AuthType.Keys;
        Account.CreatedAt = now;
        Seal(new AccountSecrets(request.Values, null, null, null));
        Account.DisplayFields = new Dictionary<string, string>(request.DisplayFields, StringComparer.Ordinal);
        Account.Health = AccountHealth.Healthy;
        await SaveAsync("connected", request.Actor);
        LogConnected(logger, Id, request.AppSlug, request.WorkspaceId);
        return Summary(Account);
    }

    async Task<AccountSummary> IAccountLifecycleGrain.ReplaceKeysAsync(string workspaceId, IReadOnlyDictionary<string, string> values, IReadOnlyDictionary<string, string> displayFields, string actor)
    {
        var account = RequireWorkspace(workspaceId);
        if (account.DeletedAt is not null) throw new AccountDeletedException(Id);
        Seal(new AccountSecrets(values, null, null, null));
        account.DisplayFields = new Dictionary<string, string>(displayFields, StringComparer.Ordinal);
        account.Health = AccountHealth.Healthy;
        account.HealthReason = null;
        await SaveAsync("reconnected", actor);
        return Summary(account);
    }

    private ConnectedAccountState RequireExisting()
        => Account.WorkspaceId is null ? throw new AccountNotFoundException(Id) : Account;

    /// <summary>The tenancy gate: runs before anything is decrypted.</summary>
    private ConnectedAccountState RequireWorkspace(string workspaceId)
    {
        var account = RequireExisting();
        if (!string.Equals(account.WorkspaceId, workspaceId, StringComparison.Ordinal))
        {
            LogWrongWorkspace(logger, Id);
            throw new AccountAccessDeniedException(Id);
        }
        return account;
    }

    private AccountSecrets OpenSecrets(ConnectedAccountState account)
    {
        if (_secrets is not null) return _secrets;
        if (account.SealedSecrets is null) throw new CredentialsUnavailableException(Id);
        try
        {
            var plaintext = cipher.Open(account.SealedSecrets, Binding(account));
            return _secrets = JsonSerializer.Deserialize<AccountSecrets>(plaintext)!;
        }
        catch (CredentialEnvelopeException e)
        {
            LogCannotOpen(logger, Id, e.Message);
            throw new CredentialsUnavailableException(Id);
        }
    }

    private void Seal(AccountSecrets secrets)
    {
        Account.SealedSecrets = cipher.Seal(JsonSerializer.SerializeToUtf8Bytes(secrets), Binding(Account));
        _secrets = secrets;
    }

    private CredentialBinding Binding(ConnectedAccountState account) => new(account.WorkspaceId!, Id);

    /// <summary>Persists, then mirrors the change into the index (rebuildable, so its failure is logged, not thrown).</summary>
    private async Task SaveAsync(string action, string actor, WorkflowStep? step = null, string? detail = null)
    {
        Account.UpdatedAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The change in memory did not reach storage; start over from what storage holds.
            _secrets = null;
            DeactivateOnIdle();
            throw;
        }
        _lastUsedUnsaved = false;
        Audit(action, actor, step, detail);
        await UpdateIndexAsync();
    }

    private async Task UpdateIndexAsync()
    {
        try
        {
            await index.UpsertAsync(Summary(Account), Account.DeletedAt is not null, CancellationToken.None);
            _indexStale = false;
        }
        catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException)
        {
            _indexStale = true;
            LogIndexFailed(logger, Id, e.GetType().Name);
        }
    }

    private async Task SaveLastUsedAsync(CancellationToken cancellationToken)
    {
        if (_lastUsedUnsaved)
        {
            await state.WriteStateAsync(cancellationToken);
            _lastUsedUnsaved = false;
            _indexStale = true;
        }
        if (_indexStale) await UpdateIndexAsync();
    }

    private void Audit(string action, string actor, WorkflowStep? step = null, string? detail = null)
        => audit.Record(new AuditEvent(time.GetUtcNow(), Id, Account.WorkspaceId ?? "", action, actor, step?.WorkflowId, step?.StepId, detail));

    private AccountSummary Summary(ConnectedAccountState account) => new()
    {
        Id = Id,
        WorkspaceId = account.WorkspaceId!,
        AppSlug = account.AppSlug,
        Nickname = account.Nickname,
        AuthType = account.AuthType,
        Health = account.Health,
        HealthReason = account.HealthReason,
        GrantedScopes = account.Scopes.ToArray(),
        AccessTokenExpiresAt = account.AccessTokenExpiresAt,
        LastRefreshedAt = account.LastRefreshedAt,
        CreatedAt = account.CreatedAt,
        UpdatedAt = account.UpdatedAt,
        LastUsedAt = account.LastUsedAt,
        LinkedSteps = account.Links.ToArray(),
        Fields = new Dictionary<string, string>(account.DisplayFields, StringComparer.Ordinal),
        UpstreamIdentity = account.UpstreamIdentity,
    };

    private static void CheckStep(WorkflowStep step)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!AccountRules.IsIdentifier(step.WorkflowId)) errors["workflowId"] = [AccountRules.IdentifierRule];
        if (!AccountRules.IsIdentifier(step.StepId)) errors["stepId"] = [AccountRules.IdentifierRule];
        if (errors.Count > 0) throw new AccountValidationException(errors);
    }

    private static AccountValidationException Invalid(string field, string message)
        => new(new Dictionary<string, string[]> { [field] = [message] });

    [LoggerMessage(Level = LogLevel.Information, Message = "Account {AccountId} connected to {App} in workspace {WorkspaceId}")]
    private static partial void LogConnected(ILogger logger, string accountId, string app, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A caller from another workspace asked for account {AccountId}; refused")]
    private static partial void LogWrongWorkspace(ILogger logger, string accountId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot open the credentials of account {AccountId}: {Problem}")]
    private static partial void LogCannotOpen(ILogger logger, string accountId, string problem);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not update the index row of account {AccountId} ({Error}); retried on its next change")]
    private static partial void LogIndexFailed(ILogger logger, string accountId, string error);
}

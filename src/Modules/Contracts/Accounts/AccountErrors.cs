using Accounts.Orleans.Contracts.Validation;

namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>An account error the caller can act on; carried across the cluster with its type. Never holds a secret.</summary>
[GenerateSerializer, Alias("accounts.error")]
public abstract class AccountException : Exception
{
    protected AccountException(string message) : base(message) { }
}

[GenerateSerializer, Alias("accounts.error.not-found")]
public sealed class AccountNotFoundException(string accountId) : AccountException($"No account '{accountId}'.")
{
    [Id(0)] public string AccountId { get; } = accountId;
}

/// <summary>The caller's workspace does not own the account. Says nothing more, so ids cannot be probed across workspaces.</summary>
[GenerateSerializer, Alias("accounts.error.access-denied")]
public sealed class AccountAccessDeniedException(string accountId) : AccountException($"Account '{accountId}' is not available to this workspace.")
{
    [Id(0)] public string AccountId { get; } = accountId;
}

[GenerateSerializer, Alias("accounts.error.step-not-linked")]
public sealed class StepNotLinkedException(string accountId, WorkflowStep step)
    : AccountException($"Step '{step.StepId}' of workflow '{step.WorkflowId}' is not linked to account '{accountId}'.")
{
    [Id(0)] public string AccountId { get; } = accountId;
    [Id(1)] public WorkflowStep Step { get; } = step;
}

[GenerateSerializer, Alias("accounts.error.needs-reconnect")]
public sealed class AccountNeedsReconnectException(string accountId, string reason)
    : AccountException($"Account '{accountId}' needs to be connected again: {reason}")
{
    [Id(0)] public string AccountId { get; } = accountId;
    [Id(1)] public string Reason { get; } = reason;
}

[GenerateSerializer, Alias("accounts.error.deleted")]
public sealed class AccountDeletedException(string accountId) : AccountException($"Account '{accountId}' was deleted.")
{
    [Id(0)] public string AccountId { get; } = accountId;
}

[GenerateSerializer, Alias("accounts.error.still-linked")]
public sealed class AccountStillLinkedException(string accountId, IReadOnlyList<WorkflowStep> steps)
    : AccountException($"Account '{accountId}' is used by {steps.Count} workflow step(s) ({string.Join(", ", steps.Take(5).Select(s => $"{s.WorkflowId}/{s.StepId}"))}); delete with force to proceed.")
{
    [Id(0)] public string AccountId { get; } = accountId;
    [Id(1)] public IReadOnlyList<WorkflowStep> Steps { get; } = steps;
}

/// <summary>Input that breaks a rule: messages per field name.</summary>
[GenerateSerializer, Alias("accounts.error.validation")]
public sealed class AccountValidationException : AccountException, IFieldErrors
{
    public AccountValidationException(IReadOnlyDictionary<string, string[]> errors) : base(FieldErrors.Summary(errors)) => Errors = errors;

    [Id(0)] public IReadOnlyDictionary<string, string[]> Errors { get; }
}

/// <summary>
/// Trying the keys at the app failed: it refused them, or could not be reached. <see cref="AppAnswer"/> says which
/// (what it answered, without the keys).
/// </summary>
/// <param name="refused">The app answered 401 or 403: the keys are wrong or revoked, not the app down.</param>
[GenerateSerializer, Alias("accounts.error.key-verification")]
public sealed class KeyVerificationFailedException(string appSlug, string appAnswer, bool refused = false)
    : AccountException($"Trying these credentials at {appSlug} failed: {appAnswer}")
{
    [Id(0)] public string AppSlug { get; } = appSlug;
    [Id(1)] public string AppAnswer { get; } = appAnswer;
    [Id(2)] public bool Refused { get; } = refused;
}

/// <summary>The service cannot open stored credentials: its master key is missing or wrong. It fails closed.</summary>
[GenerateSerializer, Alias("accounts.error.credentials-unavailable")]
public sealed class CredentialsUnavailableException(string accountId)
    : AccountException($"The credentials of account '{accountId}' cannot be opened by this service; check its master key ring.")
{
    [Id(0)] public string AccountId { get; } = accountId;
}

/// <summary>
/// Credential reads are paused because the audit trail has not reached the database for too long: a read that could
/// not be audited is not served. Transient: reads resume as soon as the service's database takes writes again.
/// </summary>
[GenerateSerializer, Alias("accounts.error.audit-unavailable")]
public sealed class AuditUnavailableException()
    : AccountException("Credential reads are paused until the service can store its audit trail again; try again shortly.");

/// <summary>The deployment has no OAuth client for the app; an operator must register one.</summary>
[GenerateSerializer, Alias("accounts.error.oauth-client-missing")]
public sealed class OAuthClientNotConfiguredException(string appSlug)
    : AccountException($"No OAuth client is configured for '{appSlug}'; enter one in the admin console, or set Accounts:OAuthClients:{appSlug}:ClientId and ClientSecret.")
{
    [Id(0)] public string AppSlug { get; } = appSlug;
}

/// <summary>Configuration defines the app's OAuth client, and configuration wins: the operator changes it there, not at run time.</summary>
[GenerateSerializer, Alias("accounts.error.oauth-client-in-configuration")]
public sealed class OAuthClientInConfigurationException(string appSlug)
    : AccountException($"The OAuth client of '{appSlug}' is set in configuration (Accounts:OAuthClients:{appSlug}), which takes precedence; change or remove it there.")
{
    [Id(0)] public string AppSlug { get; } = appSlug;
}

[GenerateSerializer, Alias("accounts.oauth-flow-error")]
public enum OAuthFlowError
{
    UnknownState = 0,
    Expired = 1,
    AlreadyUsed = 2,
    IssuerMismatch = 3,
    Denied = 4,
    MissingCode = 5,
    ExchangeFailed = 6,
    /// <summary>Another browser opened the flow first, or the callback came to a browser that did not start it.</summary>
    OtherBrowser = 7,
}

/// <summary>An OAuth callback that cannot complete a flow; <see cref="Kind"/> says why. Never holds a code or token.</summary>
[GenerateSerializer, Alias("accounts.error.oauth-flow")]
public sealed class OAuthFlowException(OAuthFlowError kind, string message) : AccountException(message)
{
    [Id(0)] public OAuthFlowError Kind { get; } = kind;

    /// <summary>The failure as a code a backend can act on (a connect session's error, an error redirect's <c>error</c>).</summary>
    public string Code => Kind switch
    {
        OAuthFlowError.UnknownState => "unknown_state",
        OAuthFlowError.Expired => "expired",
        OAuthFlowError.AlreadyUsed => "already_used",
        OAuthFlowError.IssuerMismatch => "issuer_mismatch",
        OAuthFlowError.Denied => "denied",
        OAuthFlowError.MissingCode => "missing_code",
        OAuthFlowError.OtherBrowser => "other_browser",
        _ => "exchange_failed",
    };
}

/// <summary>The app could not refresh the token for a reason that may pass (it was down); the account keeps its tokens.</summary>
[GenerateSerializer, Alias("accounts.error.refresh-failed")]
public sealed class TokenRefreshFailedException(string accountId, string reason)
    : AccountException($"Account '{accountId}' could not refresh its token: {reason}")
{
    [Id(0)] public string AccountId { get; } = accountId;
    [Id(1)] public string Reason { get; } = reason;
}

/// <summary>What a workspace may hold at once; <see cref="WorkspaceLimitReachedException.Limit"/> says which.</summary>
[GenerateSerializer, Alias("accounts.workspace-limit")]
public enum WorkspaceLimit
{
    Accounts = 0,
    /// <summary>OAuth consents started and not yet past their lifetime.</summary>
    PendingFlows = 1,
}

/// <summary>The workspace holds as many as the service allows (a flood guard the operator sets); nothing was created.</summary>
[GenerateSerializer, Alias("accounts.error.workspace-limit")]
public sealed class WorkspaceLimitReachedException(string workspaceId, WorkspaceLimit limit, int max) : AccountException(limit == WorkspaceLimit.Accounts
    ? $"Workspace '{workspaceId}' already has {max} accounts, the most this service allows; delete one or ask the operator to raise the limit."
    : $"Workspace '{workspaceId}' already has {max} sign-ins waiting for consent, the most this service allows; try again in a few minutes.")
{
    [Id(0)] public string WorkspaceId { get; } = workspaceId;
    [Id(1)] public WorkspaceLimit Limit { get; } = limit;
    [Id(2)] public int Max { get; } = max;
}

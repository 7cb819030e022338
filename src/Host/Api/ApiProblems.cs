using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Contracts.Validation;
using Accounts.Orleans.Contracts.Webhooks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Accounts.Orleans.Host.Api;

/// <summary>
/// Turns what went wrong into RFC 7807 problem details. Typed errors carry their own message; anything else is a
/// bug, logged once here and answered with a bare 500 (no exception text or stack trace reaches a client).
/// </summary>
public sealed partial class ApiProblems(IProblemDetailsService problems, ILogger<ApiProblems> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var context = httpContext;
        var problem = exception switch
        {
            IFieldErrors e => new HttpValidationProblemDetails(e.Errors.ToDictionary())
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid fields.",
            },
            ApiInputException e => new ProblemDetails { Status = e.StatusCode, Title = e.Message },
            AppNotFoundException e => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = e.Message },
            AppRequestNotFoundException e => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = e.Message },
            AppAlreadyInCatalogException e => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict,
                Title = e.Message,
                Extensions = { ["slug"] = e.Slug },
            },
            InvalidTriageException e => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = e.Message },
            AppRequestLimitReachedException e => Problem(StatusCodes.Status409Conflict,
                e.Limit == AppRequestLimit.VotesPerRequester ? "app_request_requester_limit" : "app_request_limit", e.Message, ("max", e.Max)),
            UnauthenticatedException e => Problem(StatusCodes.Status401Unauthorized, "unauthenticated", e.Message),
            PermissionDeniedException e => Problem(StatusCodes.Status403Forbidden, "permission_denied", e.Message, ("needed", e.Needed)),
            // Another workspace's account answers exactly as an unknown id.
            AccountNotFoundException e => Problem(StatusCodes.Status404NotFound, "account_not_found", e.Message),
            AccountAccessDeniedException e => Problem(StatusCodes.Status404NotFound, "account_not_found", new AccountNotFoundException(e.AccountId).Message),
            AccountDeletedException e => Problem(StatusCodes.Status410Gone, "account_deleted", e.Message),
            StepNotLinkedException e => Problem(StatusCodes.Status403Forbidden, "step_not_linked", e.Message, ("workflowId", e.Step.WorkflowId), ("stepId", e.Step.StepId)),
            AccountNeedsReconnectException e => Problem(StatusCodes.Status409Conflict, "needs_reconnect", e.Message, ("reason", e.Reason)),
            AccountStillLinkedException e => Problem(StatusCodes.Status409Conflict, "account_still_linked", e.Message,
                ("steps", e.Steps.Select(s => new { s.WorkflowId, s.StepId }).ToArray())),
            KeyVerificationFailedException e => Problem(StatusCodes.Status422UnprocessableEntity, "key_verification_failed", e.Message, ("appAnswer", e.AppAnswer)),
            OAuthClientNotConfiguredException e => Problem(StatusCodes.Status409Conflict, "oauth_client_missing", e.Message),
            OAuthClientInConfigurationException e => Problem(StatusCodes.Status409Conflict, "oauth_client_in_configuration", e.Message),
            // Only a start can throw it outside the browser's callback: an OAuth 1.0a app issued no request token.
            OAuthFlowException e => Problem(StatusCodes.Status502BadGateway, "oauth_start_failed", e.Message, ("reason", e.Code)),
            TokenRefreshFailedException e => Problem(StatusCodes.Status502BadGateway, "refresh_failed", e.Message, ("reason", e.Reason)),
            CredentialsUnavailableException e => Problem(StatusCodes.Status503ServiceUnavailable, "credentials_unavailable", e.Message),
            ConnectSessionNotFoundException e => Problem(StatusCodes.Status404NotFound, "connect_session_not_found", e.Message),
            ConnectSessionRefusedException e => Problem(e.Reason == ConnectSessionRefusal.AppNotAllowed ? StatusCodes.Status403Forbidden : StatusCodes.Status410Gone,
                e.Reason switch
                {
                    ConnectSessionRefusal.Expired => "connect_session_expired",
                    ConnectSessionRefusal.Spent => "connect_session_spent",
                    ConnectSessionRefusal.AppNotAllowed => "app_not_allowed",
                    _ => "connect_session_invalid",
                }, e.Message),
            ProxyFailedException e => Problem(e.Failure == ProxyFailure.Timeout ? StatusCodes.Status504GatewayTimeout : StatusCodes.Status502BadGateway,
                e.Failure switch { ProxyFailure.Timeout => "proxy_timeout", ProxyFailure.TooLarge => "proxy_response_too_large", _ => "proxy_unreachable" }, e.Message),
            WebhookEndpointNotFoundException e => Problem(StatusCodes.Status404NotFound, "webhook_endpoint_not_found", e.Message),
            WebhookDeliveryNotFoundException e => Problem(StatusCodes.Status404NotFound, "webhook_delivery_not_found", e.Message),
            WebhookLimitReachedException e => Problem(StatusCodes.Status409Conflict, "webhook_endpoint_limit", e.Message, ("max", e.Limit)),
            AuditUnavailableException e => Problem(StatusCodes.Status503ServiceUnavailable, "audit_unavailable", e.Message),
            WorkspaceLimitReachedException e => Problem(StatusCodes.Status409Conflict, e.Limit == WorkspaceLimit.Accounts ? "workspace_account_limit" : "workspace_flow_limit",
                e.Message, ("max", e.Max)),
            // The cluster is reconfiguring (a silo died or is starting) or its database is: worth a retry.
            StorageUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The service is briefly unavailable; try again in a few seconds.",
            },
            _ => null,
        };
        if (problem is null)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, exception);
            problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "Something went wrong on our side." };
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable) context.Response.Headers.RetryAfter = "5";
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A problem with a stable <c>code</c> a program can branch on, and the error's own fields beside it.</summary>
    private static ProblemDetails Problem(int status, string code, string title, params (string Name, object Value)[] fields)
    {
        var problem = new ProblemDetails { Status = status, Title = title, Extensions = { ["code"] = code } };
        foreach (var (name, value) in fields) problem.Extensions[name] = value;
        return problem;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}

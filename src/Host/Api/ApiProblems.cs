using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Contracts.Storage;
using Accounts.Orleans.Contracts.Validation;
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
            // The cluster is reconfiguring (a silo died or is starting) or its database is: worth a retry.
            StorageUnavailableException or AuditUnavailableException or SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => new ProblemDetails
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

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, PathString path, Exception exception);
}

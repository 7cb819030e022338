namespace Accounts.Orleans.Contracts.Access;

/// <summary>
/// The call carried no API key, or one this cluster does not know, or one that was revoked. Which of these is not
/// said, so a guess learns nothing.
/// </summary>
[GenerateSerializer, Alias("access.error.unauthenticated")]
public sealed class UnauthenticatedException() : Exception("The call carries no valid API key of this service.");

/// <summary>The caller's key is valid but lacks the scope this method needs, or the method is the service's own.</summary>
[GenerateSerializer, Alias("access.error.permission-denied")]
public sealed class PermissionDeniedException(string needed) : Exception($"This API key may not do that (it needs the '{needed}' scope).")
{
    [Id(0)] public string Needed { get; } = needed;
}

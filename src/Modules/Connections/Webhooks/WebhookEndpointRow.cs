using Accounts.Orleans.Contracts.Webhooks;

namespace Accounts.Orleans.Connections.Webhooks;

/// <summary>An endpoint as stored: its secrets sealed; <see cref="ToString"/> shows neither.</summary>
public sealed record WebhookEndpointRow(
    string Id,
    string WorkspaceId,
    string Url,
    IReadOnlyList<string> Events,
    string? Description,
    bool Enabled,
    byte[] SealedSecret,
    byte[]? SealedPrevious,
    DateTimeOffset? PreviousUntil,
    string SecretHint,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public WebhookEndpoint View(DateTimeOffset now) => new()
    {
        Id = Id,
        WorkspaceId = WorkspaceId,
        Url = Url,
        Events = Events,
        Description = Description,
        Enabled = Enabled,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        PreviousSecretUntil = PreviousUntil > now ? PreviousUntil : null,
        SecretHint = SecretHint,
    };

    public override string ToString() => $"WebhookEndpointRow {{ Id = {Id}, WorkspaceId = {WorkspaceId}, Url = {Url} }}";
}

using Accounts.Orleans.Vault.Envelopes;
using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

[GenerateSerializer, Alias("accounts.oauth-client-stored")]
public sealed class StoredOAuthClient
{
    [Id(0)] public string ClientId { get; set; } = "";
    /// <summary>The client secret in an envelope bound to the app (<see cref="Binding"/>); null for a public client.</summary>
    [Id(1)] public byte[]? SealedSecret { get; set; }
    [Id(2)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(3)] public string UpdatedBy { get; set; } = "";
    /// <summary>The secret the app issued next, sealed under the same <see cref="Binding"/>: both are the app's client's.</summary>
    [Id(4)] public byte[]? SealedNextSecret { get; set; }
    [Id(5)] public DateTimeOffset? SecretExpiresAt { get; set; }
    [Id(6)] public DateTimeOffset? NextSecretExpiresAt { get; set; }

    /// <summary>
    /// Whose secret an envelope holds: the app. No account id ever starts with this prefix and the workspace is empty,
    /// so an account's envelope and a client's can never be swapped, nor two apps' secrets.
    /// </summary>
    public static CredentialBinding Binding(string appSlug) => new(WorkspaceId: "", AccountId: "oauth-client:" + appSlug);
}

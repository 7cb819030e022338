namespace Accounts.Orleans.Connections.OAuth;

/// <summary>The expiry warnings already announced (<see cref="ClientSecretAnnouncements.Key"/>), so a restart does not repeat one.</summary>
[GenerateSerializer, Alias("accounts.oauth-client-expiry-watch-state")]
public sealed class ClientSecretWatchState
{
    [Id(0)] public HashSet<string> Announced { get; set; } = new(StringComparer.Ordinal);
}

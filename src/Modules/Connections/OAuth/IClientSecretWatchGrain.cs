namespace Accounts.Orleans.Connections.OAuth;

/// <summary>Warns of OAuth client secrets that expire soon; one per cluster (key 0). Not in the contracts: the silos call it.</summary>
[Alias("accounts.IClientSecretWatchGrain")]
public interface IClientSecretWatchGrain : IGrainWithIntegerKey
{
    /// <summary>Announces every warning now due and not announced before; how many events it appended to the outbox.</summary>
    [Alias("Check")]
    Task<int> CheckAsync();
}

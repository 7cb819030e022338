using Orleans.Concurrency;

namespace Accounts.Orleans.Connections.OAuth;

/// <summary>Only the connector starts a flow; the contracts expose completion alone.</summary>
[Alias("accounts.IOAuthFlowSetupGrain")]
public interface IOAuthFlowSetupGrain : IGrainWithStringKey
{
    [Alias("Begin")]
    Task BeginAsync(OAuthFlowBegin begin);

    /// <summary>
    /// How the flow stands, for the connect session that started it when the flow's own report did not get through.
    /// Interleaves: the flow may be waiting on that session while the session asks.
    /// </summary>
    [Alias("Outcome"), AlwaysInterleave]
    Task<OAuthFlowOutcome> OutcomeAsync();
}

/// <summary>Pending while the person may still consent or the code is being exchanged; the account once connected.</summary>
[GenerateSerializer, Alias("accounts.oauth-flow-outcome"), Immutable]
public sealed record OAuthFlowOutcome([property: Id(0)] OAuthFlowStatus Status, [property: Id(1)] string? AccountId);

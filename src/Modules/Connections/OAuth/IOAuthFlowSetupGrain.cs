namespace Accounts.Orleans.Connections.OAuth;

/// <summary>Only the connector starts a flow; the contracts expose completion alone.</summary>
[Alias("accounts.IOAuthFlowSetupGrain")]
public interface IOAuthFlowSetupGrain : IGrainWithStringKey
{
    [Alias("Begin")]
    Task BeginAsync(OAuthFlowBegin begin);
}

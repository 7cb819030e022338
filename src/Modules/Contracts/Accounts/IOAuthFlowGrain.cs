using Accounts.Orleans.Contracts.Access;


namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// One OAuth authorization in progress (key: the <c>state</c> value, 256 random bits). Single use, expires after ten
/// minutes, and survives a silo restart.
/// </summary>
[Alias("accounts.IOAuthFlowGrain")]
public interface IOAuthFlowGrain : IGrainWithStringKey
{
    /// <exception cref="OAuthFlowException">Unknown, expired or replayed state; an error from the app; a failed code exchange.</exception>
    [Alias("Complete"), RequiresScope(Scopes.AccountsWrite)]
    Task<OAuthCompleted> CompleteAsync(OAuthCallback callback);

    [Alias("GetView"), RequiresScope(Scopes.AccountsRead)]
    Task<OAuthFlowView> GetViewAsync();
}

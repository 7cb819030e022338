using Accounts.Orleans.Contracts.Access;


namespace Accounts.Orleans.Contracts.Accounts;

/// <summary>
/// One OAuth authorization in progress (key: <see cref="OAuthState.FlowKey"/> of its <c>state</c>; reach it with
/// <see cref="OAuthState.OAuthFlow"/>). Single use, expires after ten minutes, and survives a silo restart.
/// </summary>
[Alias("accounts.IOAuthFlowGrain")]
public interface IOAuthFlowGrain : IGrainWithStringKey
{
    [Alias("GetView"), RequiresScope(Scopes.AccountsRead)]
    Task<OAuthFlowView> GetViewAsync();
}

/// <summary>
/// What the Host's pages do with a flow: show what it connects, bind it to the browser that opens it, complete it at
/// the callback. No API key can call it, so a flow completes only through the callback that checks that browser.
/// </summary>
[Alias("accounts.IOAuthBrowserFlowGrain"), ServiceOnly]
public interface IOAuthBrowserFlowGrain : IGrainWithStringKey
{
    /// <summary>What the flow connects, for the page that asks the person to go on.</summary>
    /// <exception cref="OAuthFlowException">Unknown, expired, finished, or already opened in a browser.</exception>
    [Alias("Preview")]
    Task<OAuthFlowPreview> PreviewAsync();

    /// <summary>The app's authorize URL, handed out once: the first browser to open the flow is the only one its callback accepts.</summary>
    /// <exception cref="OAuthFlowException">Unknown, expired, finished, or already opened in a browser.</exception>
    [Alias("Open")]
    Task<string> OpenAsync();

    /// <exception cref="OAuthFlowException">Unknown, expired or replayed state; an error from the app; a failed code exchange.</exception>
    [Alias("Complete")]
    Task<OAuthCompleted> CompleteAsync(OAuthCallback callback);
}

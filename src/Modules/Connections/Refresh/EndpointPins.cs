using Accounts.Orleans.Connections.Accounts;

namespace Accounts.Orleans.Connections.Refresh;

/// <summary>
/// The origins (scheme, host, port) an account's OAuth credentials were issued for. They are sealed with the tokens,
/// so neither a catalog change nor a row edited in the database can send a refresh token anywhere else: when the
/// catalog names another origin, the account must be reconnected (a person consents again) before anything is sent.
/// </summary>
public sealed record EndpointPins(string Token, string? Revoke)
{
    public static EndpointPins Of(AppDefinition app)
        => new(Origin(app.OAuth!.Renewal?.Url ?? app.OAuth.RefreshUrl ?? app.OAuth.TokenUrl), app.OAuth.RevokeUrl is { } revoke ? Origin(revoke) : null);

    /// <summary>Why <paramref name="secrets"/> may not go to <paramref name="app"/>'s token endpoint; null when they may.</summary>
    public static string? TokenRefusal(AccountSecrets secrets, AppDefinition app)
        => secrets.TokenOrigin is { } pinned && pinned != Of(app).Token
            ? $"{app.Name}'s token endpoint moved from {pinned} to {Of(app).Token} since this account connected; reconnect it to trust the new one (nothing was sent)"
            : null;

    /// <summary>Whether a revoke may go to <paramref name="app"/>'s revoke endpoint.</summary>
    public static bool MayRevoke(AccountSecrets secrets, AppDefinition app)
        => secrets.RevokeOrigin is not { } pinned || pinned == Of(app).Revoke;

    private static string Origin(string url) => new Uri(url).GetLeftPart(UriPartial.Authority).ToLowerInvariant();
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Accounts.Orleans.Testing.OAuth;

/// <summary>
/// Reads whether a token is still usable straight from the server's store. Introspection would be the protocol's way,
/// but OpenIddict treats introspecting an already-rotated refresh token as token reuse and revokes the whole grant, so a
/// test that merely looked would change the outcome.
/// </summary>
internal sealed class TokenActivity(IServiceProvider services, SecurityKey signingKey, SecurityKey encryptionKey, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    public async Task<bool> IsActiveAsync(string token, CancellationToken ct)
    {
        // The token's own signature and encryption are checked with the server's keys; its lifetime and status come from the store.
        var read = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = signingKey,
            TokenDecryptionKey = encryptionKey,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
        });
        if (!read.IsValid || !read.Claims.TryGetValue(Claims.Private.TokenId, out var claim) || claim is not string id) return false;

        await using var scope = services.CreateAsyncScope();
        var tokens = scope.ServiceProvider.GetRequiredService<IOpenIddictTokenManager>();
        var entry = await tokens.FindByIdAsync(id, ct);
        if (entry is null || !await tokens.HasStatusAsync(entry, Statuses.Valid, ct)) return false;
        if (await tokens.GetExpirationDateAsync(entry, ct) is { } expires && expires <= clock.GetUtcNow()) return false;

        var authorizationId = await tokens.GetAuthorizationIdAsync(entry, ct);
        if (authorizationId is null) return true;
        var authorizations = scope.ServiceProvider.GetRequiredService<IOpenIddictAuthorizationManager>();
        var authorization = await authorizations.FindByIdAsync(authorizationId, ct);
        return authorization is not null && await authorizations.HasStatusAsync(authorization, Statuses.Valid, ct);
    }
}

using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Accounts.Orleans.Connections.Tokens;

/// <summary>
/// The signed assertion a JWT-bearer token request carries (RFC 7523 §3): <c>iss</c>, optional <c>sub</c>, <c>aud</c>,
/// <c>iat</c>, <c>exp</c> and a fresh <c>jti</c>, signed with the account's private key. It lives minutes, names no
/// secret, and is made anew for every request, so a copy is worth little and soon nothing.
/// </summary>
public static class JwtAssertion
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };

    /// <exception cref="CryptographicException">The account's key is missing or cannot sign.</exception>
    public static string Create(AppDefinition app, IReadOnlyDictionary<string, string> fields, DateTimeOffset now)
    {
        var oauth = app.OAuth ?? throw new InvalidOperationException($"{app.Slug} has no token endpoint.");
        var settings = oauth.Assertion ?? throw new InvalidOperationException($"{app.Slug} has no assertion settings.");
        var pem = fields.GetValueOrDefault(settings.KeyField) ?? throw new CryptographicException($"The account has no '{settings.KeyField}'.");
        using var key = PrivateKeys.Open(pem);
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [JwtRegisteredClaimNames.Jti] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
        };
        // An optional field left empty (Google's user to act for) means no sub at all, not an empty one.
        if (settings.Subject is { Length: > 0 } subject && TestRequestTemplate.Fill(subject, fields) is { Length: > 0 } sub) claims[JwtRegisteredClaimNames.Sub] = sub;
        if (settings.ScopesInAssertion && oauth.DefaultScopes.Count > 0) claims["scope"] = string.Join(oauth.ScopeSeparator, oauth.DefaultScopes);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = TestRequestTemplate.Fill(settings.Issuer, fields),
            Audience = settings.Audience is { Length: > 0 } audience ? TestRequestTemplate.Fill(audience, fields) : oauth.TokenUrl,
            IssuedAt = now.UtcDateTime,
            Expires = now.AddSeconds(settings.LifetimeSeconds).UtcDateTime,
            Claims = claims,
            SigningCredentials = new SigningCredentials(SecurityKeyOf(key, settings.KeyIdField is { } kid ? fields.GetValueOrDefault(kid) : null), settings.Algorithm)
            {
                // The key object is disposed as soon as the assertion is signed; a cached signature provider would outlive it.
                CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false },
            },
        };
        return Handler.CreateToken(descriptor);
    }

    private static AsymmetricSecurityKey SecurityKeyOf(AsymmetricAlgorithm key, string? keyId) => key switch
    {
        RSA rsa => new RsaSecurityKey(rsa) { KeyId = keyId },
        ECDsa ec => new ECDsaSecurityKey(ec) { KeyId = keyId },
        _ => throw new CryptographicException("The key is neither RSA nor EC."),
    };
}

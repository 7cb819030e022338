using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Contracts.Accounts;

namespace Accounts.Orleans.Connections.Tests.OAuth;

public sealed class OAuthClientRulesTests
{
    private static OAuthClientRegistration Registration(string clientId = "client-1", string? secret = "s3cr3t") => new()
    {
        AppSlug = "slack", ClientId = clientId, ClientSecret = secret, Actor = "ops",
    };

    [Fact]
    public void A_pasted_client_comes_back_without_surrounding_whitespace()
    {
        var (clientId, secret, errors) = OAuthClientRules.Check(Registration(" client-1\t", "s3cr3t\r\n"));

        Assert.Empty(errors);
        Assert.Equal(("client-1", "s3cr3t"), (clientId, secret));
    }

    [Fact]
    public void A_public_client_has_no_secret_and_that_is_valid()
    {
        var (_, secret, errors) = OAuthClientRules.Check(Registration(secret: null));

        Assert.Empty(errors);
        Assert.Null(secret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("with\ttab")]
    [InlineData("caf\u00e9")]
    [InlineData("zero\u200Bwidth")]
    public void A_client_id_must_be_printable_ascii(string clientId)
        => Assert.Equal(["clientId"], OAuthClientRules.Check(Registration(clientId)).Errors.Keys);

    [Fact]
    public void Limits_are_inclusive()
    {
        Assert.Empty(OAuthClientRules.Check(Registration(new string('c', 512), new string('s', 4096))).Errors);
        Assert.Equal(["clientId", "clientSecret"], OAuthClientRules.Check(Registration(new string('c', 513), new string('s', 4097))).Errors.Keys);
    }

    [Fact]
    public void Messages_never_repeat_the_secret()
    {
        const string Secret = "sk_live_never_echo_me";

        var errors = OAuthClientRules.Check(Registration(secret: Secret + "\u0001")).Errors;

        Assert.DoesNotContain(Secret, string.Join(" ", errors.SelectMany(e => e.Value)), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, Registration(secret: Secret).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_next_secret_follows_the_secret_rules_and_is_never_printed()
    {
        const string Next = "sk_next_never_echo_me";
        var expires = new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero);
        var rotating = Registration() with { NextClientSecret = $" {Next}\n", SecretExpiresAt = expires, NextSecretExpiresAt = expires.AddDays(90) };

        Assert.Empty(OAuthClientRules.Check(rotating).Errors);
        Assert.Equal(Next, OAuthClientRules.NextSecret(rotating));
        Assert.Equal(["nextClientSecret"], OAuthClientRules.Check(rotating with { NextClientSecret = Next + "\u0001" }).Errors.Keys);
        Assert.DoesNotContain(Next, rotating.ToString(), StringComparison.Ordinal);
        Assert.Contains("HasNextSecret = True", rotating.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_public_client_has_no_next_secret_and_no_expiry_to_record()
    {
        var expires = new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero);

        var errors = OAuthClientRules.Check(Registration(secret: null) with { NextClientSecret = "next", SecretExpiresAt = expires }).Errors;
        var orphanExpiry = OAuthClientRules.Check(Registration() with { NextSecretExpiresAt = expires }).Errors;

        Assert.Equal(["nextClientSecret", "secretExpiresAt"], errors.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["nextSecretExpiresAt"], orphanExpiry.Keys);
    }

    [Theory]
    [InlineData("slack", true)]
    [InlineData("google_drive2", true)]
    [InlineData("s", false)]
    [InlineData("Slack", false)]
    [InlineData("2fa", false)]
    [InlineData("slack\n", false)]
    public void Slugs_follow_the_catalog_rule(string slug, bool valid) => Assert.Equal(valid, global::Accounts.Orleans.Contracts.Catalog.AppSlug.IsValid(slug));
}

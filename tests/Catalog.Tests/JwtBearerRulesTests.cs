using System.Security.Cryptography;
using Accounts.Orleans.Catalog.Apps;
using Accounts.Orleans.Contracts.Catalog;

namespace Accounts.Orleans.Catalog.Tests;

public sealed class JwtBearerRulesTests
{
    private static readonly AppDefinition Service = new()
    {
        Slug = "acme_service",
        Name = "Acme service account",
        Categories = ["cloud"],
        DocsUrl = "https://docs.acme.example/service-accounts",
        AuthType = AuthType.JwtBearer,
        OAuth = new OAuthSettings
        {
            TokenUrl = "https://oauth.acme.example/token",
            DefaultScopes = ["https://api.acme.example/read"],
            Assertion = new JwtAssertionSettings { Issuer = "{{client_email}}", Subject = "{{user}}", KeyIdField = "private_key_id", ScopesInAssertion = true },
        },
        Fields =
        [
            new KeyField { Name = "client_email", Label = "Service account e-mail" },
            new KeyField { Name = "user", Label = "Acts for", Required = false },
            new KeyField { Name = "private_key_id", Label = "Key ID" },
            new KeyField { Name = "private_key", Label = "Private key", Secret = true, Format = KeyFieldFormat.PrivateKey },
        ],
        Api = new ApiSettings { BaseUrl = "https://api.acme.example" },
    };

    [Fact]
    public void A_service_account_app_with_a_secret_key_field_and_an_assertion_passes()
        => Assert.Empty(AppDefinitionRules.Validate(Service));

    [Fact]
    public void Claims_that_name_the_key_a_public_or_patterned_key_field_odd_algorithms_and_long_lives_are_refused()
    {
        var oauth = Service.OAuth!;
        var assertion = oauth.Assertion!;
        AppDefinition With(JwtAssertionSettings changed) => Service with { OAuth = oauth with { Assertion = changed } };

        Assert.Contains("oauth.assertion", AppDefinitionRules.Validate(Service with { OAuth = oauth with { Assertion = null } }).Keys);
        Assert.Contains("oauth.assertion.issuer", AppDefinitionRules.Validate(With(assertion with { Issuer = "{{private_key}}" })).Keys);
        Assert.Contains("oauth.assertion.subject", AppDefinitionRules.Validate(With(assertion with { Subject = "{{nobody}}" })).Keys);
        Assert.Contains("oauth.assertion.audience", AppDefinitionRules.Validate(With(assertion with { Audience = "line\nbreak" })).Keys);
        Assert.Contains("oauth.assertion.algorithm", AppDefinitionRules.Validate(With(assertion with { Algorithm = "HS256" })).Keys);
        Assert.Contains("oauth.assertion.algorithm", AppDefinitionRules.Validate(With(assertion with { Algorithm = "none" })).Keys);
        Assert.Contains("oauth.assertion.lifetimeSeconds", AppDefinitionRules.Validate(With(assertion with { LifetimeSeconds = 7200 })).Keys);
        Assert.Contains("oauth.assertion.keyField", AppDefinitionRules.Validate(With(assertion with { KeyField = "client_email" })).Keys);
        Assert.Contains("oauth.assertion.keyIdField", AppDefinitionRules.Validate(With(assertion with { KeyIdField = "private_key" })).Keys);
        Assert.Contains("fields[3].format", AppDefinitionRules.Validate(Service with { Fields = [.. Service.Fields.Take(3), Service.Fields[3] with { Secret = false }] }).Keys);
        Assert.Contains("fields[3].format", AppDefinitionRules.Validate(Service with { Fields = [.. Service.Fields.Take(3), Service.Fields[3] with { Pattern = "^-----.*$" }] }).Keys);
        Assert.Contains("oauth.authorizeUrl", AppDefinitionRules.Validate(Service with { OAuth = oauth with { AuthorizeUrl = "https://acme.example/authorize" } }).Keys);
        Assert.Contains("testRequest", AppDefinitionRules.Validate(Service with { TestRequest = new TestRequest { Url = "https://api.acme.example/me" } }).Keys);
    }

    [Fact]
    public void Only_a_jwt_bearer_app_has_an_assertion()
    {
        var assertion = Service.OAuth!.Assertion;
        var oauthApp = new AppDefinition
        {
            Slug = "acme", Name = "Acme", Categories = ["crm"], DocsUrl = "https://docs.acme.example", AuthType = AuthType.OAuth2,
            OAuth = new OAuthSettings { AuthorizeUrl = "https://acme.example/authorize", TokenUrl = "https://acme.example/token", Assertion = assertion },
        };

        Assert.Contains("oauth.assertion", AppDefinitionRules.Validate(oauthApp).Keys);
        Assert.Contains("oauth.assertion", AppDefinitionRules.Validate(Service with { AuthType = AuthType.ClientCredentials }).Keys);
    }

    [Fact]
    public void A_private_key_field_takes_pkcs8_pkcs1_and_ec_keys_and_the_escaped_lines_of_a_json_key_file_and_refuses_the_rest()
    {
        var field = Service.Fields[3];
        using var rsa = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        Assert.Null(field.Check(rsa.ExportPkcs8PrivateKeyPem()));
        Assert.Null(field.Check(rsa.ExportRSAPrivateKeyPem()));
        Assert.Null(field.Check(ec.ExportECPrivateKeyPem()));
        Assert.Null(field.Check(rsa.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal)));
        Assert.Equal(rsa.ExportPkcs8PrivateKeyPem().Trim(), field.Normalize(rsa.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal) + "\n"));
        Assert.Contains("public key", field.Check(rsa.ExportSubjectPublicKeyInfoPem()), StringComparison.Ordinal);
        Assert.Contains("encrypted", field.Check(rsa.ExportEncryptedPkcs8PrivateKeyPem("pw", new PbeParameters(PbeEncryptionAlgorithm.Aes128Cbc, HashAlgorithmName.SHA256, 1000))), StringComparison.Ordinal);
        Assert.Contains("PEM", field.Check("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"), StringComparison.Ordinal);
        Assert.Contains("could not be read", field.Check("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----"), StringComparison.Ordinal);
        Assert.Contains("control characters", field.Check(rsa.ExportPkcs8PrivateKeyPem() + "\u0000"), StringComparison.Ordinal);
        // A key is a secret: the message names the field, never echoes what was typed.
        Assert.DoesNotContain("bm90", field.Check("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----")!, StringComparison.Ordinal);
    }
}

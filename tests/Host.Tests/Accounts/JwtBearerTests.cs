using System.Security.Cryptography;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Tokens;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>
/// Service accounts (RFC 7523 JWT bearer) against the OpenIddict server on loopback, which knows the account's public
/// key and checks every assertion's signature, audience, lifetime and single use.
/// </summary>
public sealed class JwtBearerTests
{
    private const string Slug = "loopback_service";
    private const string Email = "robot@project.iam.loopback.example";
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task A_service_account_connects_with_its_key_and_gets_a_new_token_before_each_expires_signed_anew_each_time()
    {
        using var key = RSA.Create(2048);
        var pem = key.ExportPkcs8PrivateKeyPem();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await ServerAsync(key, clock);
        await using var host = await HostAsync(server, clock);

        var account = await ConnectAsync(host, Email, pem);
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        var first = await ReadAsync(host, account.Id);
        clock.Advance(TimeSpan.FromMinutes(28));
        var renewed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ReadAsync(host, account.Id)));

        Assert.Equal(AuthType.JwtBearer, account.AuthType);
        Assert.Equal(Email, JwtClaims.Subject(first.AccessToken!));
        // The step gets the token and who the account is; the key stays sealed in the service.
        Assert.Equal(new Dictionary<string, string> { ["client_email"] = Email }, first.Fields);
        Assert.Single(renewed.Select(r => r.AccessToken).Distinct());
        Assert.NotEqual(first.AccessToken, renewed[0].AccessToken);
        // The connect and one renewal for ten readers; the server refuses a replayed assertion, so each was new.
        Assert.Equal(2, server.AssertionGrants);
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        Assert.DoesNotContain(KeyBody(pem), stored, StringComparison.Ordinal);
        Assert.DoesNotContain(first.AccessToken!, stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_the_app_does_not_know_is_refused_at_connect_and_nothing_is_stored()
    {
        using var registered = RSA.Create(2048);
        using var other = RSA.Create(2048);
        await using var server = await ServerAsync(registered, clock: null);
        await using var host = await HostAsync(server, clock: null);
        var otherPem = other.ExportPkcs8PrivateKeyPem();

        var refused = await Assert.ThrowsAsync<KeyVerificationFailedException>(() => ConnectAsync(host, Email, otherPem));
        var unknownIssuer = await Assert.ThrowsAsync<KeyVerificationFailedException>(() => ConnectAsync(host, "someone@else.example", registered.ExportPkcs8PrivateKeyPem()));

        Assert.True(refused.Refused);
        Assert.True(unknownIssuer.Refused);
        Assert.DoesNotContain("PRIVATE KEY", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await host.ListAsync());
        Assert.DoesNotContain(KeyBody(otherPem), await SecretScan.StoredTextAsync(host.Storage), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_of_another_kind_than_the_apps_algorithm_is_refused_at_connect_as_the_apps_refusal_and_nothing_is_sent()
    {
        using var registered = RSA.Create(2048);
        using var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        await using var server = await ServerAsync(registered, clock: null);
        await using var host = await HostAsync(server, clock: null);

        var refused = await Assert.ThrowsAsync<KeyVerificationFailedException>(() => ConnectAsync(host, Email, ec.ExportPkcs8PrivateKeyPem()));

        Assert.True(refused.Refused);
        Assert.Contains("RS256", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.AssertionGrants);
        Assert.Empty(await host.ListAsync());
    }

    [Theory]
    [InlineData("not a key")]
    [InlineData("-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----")]
    [InlineData("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----")]
    [InlineData("-----BEGIN PRIVATE KEY-----\u0007\nMIIE\n-----END PRIVATE KEY-----")]
    public async Task A_value_that_is_no_usable_private_key_is_refused_by_name_before_the_app_is_called(string value)
    {
        using var key = RSA.Create(2048);
        await using var server = await ServerAsync(key, clock: null);
        await using var host = await HostAsync(server, clock: null);

        var refused = await Assert.ThrowsAsync<AccountValidationException>(() => ConnectAsync(host, Email, value));

        Assert.Equal(["fields.private_key"], refused.Errors.Keys);
        Assert.Equal(0, server.AssertionGrants);
    }

    [Fact]
    public async Task A_key_pasted_from_a_json_key_file_with_escaped_line_breaks_works_and_a_revoked_key_means_needs_reconnect()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var escaped = key.ExportPkcs8PrivateKeyPem().Replace("\n", "\\n", StringComparison.Ordinal);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        var keys = new Dictionary<string, SecurityKey> { [Email] = new ECDsaSecurityKey(key) };
        await using var server = await LoopbackAuthorizationServer.StartAsync(new LoopbackAuthorizationServerOptions
        {
            RedirectUris = ["http://127.0.0.1/unused"], AccessTokenLifetime = TimeSpan.FromMinutes(30), TimeProvider = clock, ServiceAccounts = keys,
        }, TestContext.Current.CancellationToken);
        await using var host = await HostAsync(server, clock, algorithm: "ES256");

        var account = await ConnectAsync(host, Email, escaped);
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        keys.Remove(Email);
        clock.Advance(TimeSpan.FromMinutes(31));
        var afterRevoke = await Assert.ThrowsAsync<AccountNeedsReconnectException>(() => ReadAsync(host, account.Id));

        Assert.Equal(AccountHealth.NeedsReconnect, (await host.Account(account.Id).GetAsync()).Health);
        Assert.DoesNotContain("PRIVATE KEY", afterRevoke.Message, StringComparison.Ordinal);
    }

    private static Task<LoopbackAuthorizationServer> ServerAsync(RSA key, FakeTimeProvider? clock)
        => LoopbackAuthorizationServer.StartAsync(new LoopbackAuthorizationServerOptions
        {
            RedirectUris = ["http://127.0.0.1/unused"], AccessTokenLifetime = TimeSpan.FromMinutes(30), TimeProvider = clock,
            ServiceAccounts = new Dictionary<string, SecurityKey> { [Email] = new RsaSecurityKey(RSA.Create(key.ExportParameters(false))) },
        }, TestContext.Current.CancellationToken);

    private static string KeyBody(string pem) => pem.Split('\n')[1];


    private static Task<AccountSummary> ConnectAsync(TestHost host, string email, string pem)
        => host.Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = Slug, Nickname = "Robot", Actor = "ops",
            Fields = new Dictionary<string, string> { ["client_email"] = email, ["private_key"] = pem },
        });

    private static Task<CredentialBundle> ReadAsync(TestHost host, string id)
        => host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId));

    private static Task<TestHost> HostAsync(LoopbackAuthorizationServer server, FakeTimeProvider? clock, string algorithm = "RS256")
    {
        var builder = TestHost.Sqlite().With(s => TestCatalog.AddTo(s, new AppDefinition
        {
            Slug = Slug,
            Name = "Loopback service account",
            Categories = ["cloud"],
            DocsUrl = "https://docs.loopback.example/service-accounts",
            AuthType = AuthType.JwtBearer,
            OAuth = new OAuthSettings
            {
                TokenUrl = server.TokenEndpoint.ToString(),
                DefaultScopes = ["read"],
                Assertion = new JwtAssertionSettings { Issuer = "{{client_email}}", Algorithm = algorithm, ScopesInAssertion = true, LifetimeSeconds = 600 },
            },
            Fields =
            [
                new KeyField { Name = "client_email", Label = "Service account e-mail" },
                new KeyField { Name = "private_key", Label = "Private key", Secret = true, Format = KeyFieldFormat.PrivateKey },
            ],
        }));
        return (clock is null ? builder : builder.WithTime(clock)).StartAsync();
    }
}

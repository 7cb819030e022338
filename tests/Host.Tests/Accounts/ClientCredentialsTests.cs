using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Accounts that are a client of their own (RFC 6749 §4.4), against the OpenIddict server on loopback, on fake time.</summary>
public sealed class ClientCredentialsTests
{
    private const string Slug = "loopback_m2m";
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    [Fact]
    public async Task A_client_connects_with_its_own_id_and_secret_and_its_token_is_fetched_again_before_it_expires_once_for_all_readers()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 9, 0, 0, TimeSpan.Zero));
        await using var server = await LoopbackAuthorizationServer.StartAsync(new LoopbackAuthorizationServerOptions
        {
            RedirectUris = ["http://127.0.0.1/unused"], AccessTokenLifetime = TimeSpan.FromMinutes(30), TimeProvider = clock,
        }, TestContext.Current.CancellationToken);
        await using var host = await HostAsync(server, clock);
        var secret = server.Options.ClientSecret;

        var refused = await Assert.ThrowsAsync<KeyVerificationFailedException>(() => ConnectAsync(host, server.Options.ClientId, "not-the-secret"));
        var account = await ConnectAsync(host, server.Options.ClientId, secret);
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        var first = await ReadAsync(host, account.Id);
        var again = await ReadAsync(host, account.Id);

        clock.Advance(TimeSpan.FromMinutes(28));
        var renewed = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => ReadAsync(host, account.Id)));

        Assert.True(refused.Refused);
        Assert.DoesNotContain("not-the-secret", refused.Message, StringComparison.Ordinal);
        Assert.Equal(AuthType.ClientCredentials, account.AuthType);
        Assert.Equal(first.AccessToken, again.AccessToken);
        Assert.Equal(server.Options.ClientId, JwtClaims.Subject(first.AccessToken!));
        Assert.Equal(new Dictionary<string, string> { ["client_id"] = server.Options.ClientId }, first.Fields);
        Assert.Single(renewed.Select(r => r.AccessToken).Distinct());
        Assert.NotEqual(first.AccessToken, renewed[0].AccessToken);
        // The refused try, the connect and one renewal for ten readers.
        Assert.Equal(3, server.ClientTokens);
        Assert.Equal(0, server.Refreshes);
        Assert.DoesNotContain(secret, await SecretScan.StoredTextAsync(host.Storage), StringComparison.Ordinal);
        Assert.Single(await host.ListAsync());
    }

    [Fact]
    public async Task Reconnecting_with_a_new_secret_keeps_the_account_and_deleting_it_ends_the_renewals()
    {
        await using var server = await LoopbackAuthorizationServer.StartAsync(new LoopbackAuthorizationServerOptions
        {
            RedirectUris = ["http://127.0.0.1/unused"], AccessTokenLifetime = TimeSpan.FromMinutes(30),
        }, TestContext.Current.CancellationToken);
        await using var host = await HostAsync(server, clock: null);
        var account = await ConnectAsync(host, server.Options.ClientId, server.Options.ClientSecret);

        var reconnected = await host.Connector.ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = account.Id, WorkspaceId = TestHost.Workspace, Actor = "ops",
            Fields = new Dictionary<string, string> { ["client_id"] = server.Options.ClientId, ["client_secret"] = server.Options.ClientSecret },
        });
        var deleted = await host.Account(account.Id).DeleteAsync(force: true, "ops");

        Assert.Equal(account.Id, reconnected.Id);
        Assert.Equal(AuthType.ClientCredentials, reconnected.AuthType);
        Assert.Equal(AccountHealth.Deleted, deleted.Health);
        Assert.Equal(2, server.ClientTokens);
    }


    private static Task<AccountSummary> ConnectAsync(TestHost host, string clientId, string clientSecret)
        => host.Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = Slug, Nickname = "Machine", Actor = "ops",
            Fields = new Dictionary<string, string> { ["client_id"] = clientId, ["client_secret"] = clientSecret },
        });

    private static Task<CredentialBundle> ReadAsync(TestHost host, string id)
        => host.Account(id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, Step.WorkflowId, Step.StepId));

    private static Task<TestHost> HostAsync(LoopbackAuthorizationServer server, FakeTimeProvider? clock)
    {
        var builder = TestHost.Sqlite().With(s => TestCatalog.AddTo(s, new AppDefinition
        {
            Slug = Slug,
            Name = "Loopback machine client",
            Categories = ["developer-tools"],
            DocsUrl = "https://docs.loopback.example/m2m",
            AuthType = AuthType.ClientCredentials,
            OAuth = new OAuthSettings { TokenUrl = server.TokenEndpoint.ToString(), DefaultScopes = ["read"], TokenRequestAuth = TokenRequestAuth.ClientSecretBasic },
            Fields =
            [
                new KeyField { Name = "client_id", Label = "Client ID" },
                new KeyField { Name = "client_secret", Label = "Client secret", Secret = true },
            ],
        }));
        return (clock is null ? builder : builder.WithTime(clock)).StartAsync();
    }
}

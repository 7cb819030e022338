using System.Text.Json;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Token requests shaped the way an app's entry says, against a token endpoint on loopback that records them.</summary>
public sealed class TokenRequestOptionsTests
{
    [Fact]
    public async Task A_json_app_gets_json_with_its_own_parameters_refreshes_go_to_its_refresh_url_and_revocation_stays_a_form()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().WithOAuthApp(app =>
        {
            var origin = new Uri(app.OAuth!.TokenUrl).GetLeftPart(UriPartial.Authority);
            return app with
            {
                OAuth = app.OAuth with
                {
                    TokenRequestFormat = TokenRequestFormat.Json,
                    TokenParameters = new Dictionary<string, string> { ["audience"] = "https://api.example" },
                    RefreshUrl = origin + "/v1/oauth/refresh",
                },
            };
        }).StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));

        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=the-code")) Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).RefreshAsync("ops");
        await host.Account(id).DeleteAsync(force: true, "ops");

        var (exchange, refresh, revoke) = (host.Fake.Requests[0], host.Fake.Requests[1], host.Fake.Requests[^1]);
        Assert.StartsWith("application/json", exchange.Header("Content-Type"), StringComparison.Ordinal);
        using (var body = JsonDocument.Parse(exchange.Body))
        {
            Assert.Equal("authorization_code", body.RootElement.GetProperty("grant_type").GetString());
            Assert.Equal("the-code", body.RootElement.GetProperty("code").GetString());
            Assert.Equal("https://api.example", body.RootElement.GetProperty("audience").GetString());
        }
        Assert.Equal(("/token", "/v1/oauth/refresh"), (exchange.Path, refresh.Path));
        using (var body = JsonDocument.Parse(refresh.Body))
        {
            Assert.Equal("refresh_token", body.RootElement.GetProperty("grant_type").GetString());
            Assert.Equal("refresh-1", body.RootElement.GetProperty("refresh_token").GetString());
        }
        Assert.Equal("/revoke", revoke.Path);
        Assert.Empty(revoke.Body);
        Assert.NotNull(revoke.Field("token"));
        Assert.Null(revoke.Field("audience"));
    }
}

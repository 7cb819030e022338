using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Connect sessions as a backend creates them over REST and as the connect page spends them with their token.</summary>
public sealed class ConnectSessionTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private const string Back = "https://app.example.com";
    private static readonly Dictionary<string, string> Fields = new() { ["api_key"] = TestHost.Key, ["region"] = "eu" };

    [Theory, MemberData(nameof(Engines))]
    public async Task A_session_connects_one_account_in_its_workspace_and_is_spent_by_it(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().WithFakeTokenEndpoint()
            .With(s => s["Accounts:Connections:ConnectRedirectOrigins:0"] = Back).StartAsync();
        var key = await KeyAsync(host, "backend", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);

        var created = await PostAsync(host, key, "/v1/connect/sessions",
            $$"""{ "endUserId": "user-42", "apps": ["{{LoopbackKeyApp.Slug}}"], "successRedirectUrl": "{{Back}}/done", "lifetimeMinutes": 20 }""");
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var id = created.Json!["id"]!.GetValue<string>();
        var token = created.Json["token"]!.GetValue<string>();
        var sessions = host.Grains.GetGrain<IConnectSessionUseGrain>(id);

        var tampered = token[..^1] + (token[^1] == 'A' ? 'B' : 'A');
        var wrongToken = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() => sessions.OpenAsync(tampered));
        var otherApp = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() => sessions.ConnectWithKeysAsync(token, TestHost.OAuthSlug, "Mine", Fields));
        var opened = await sessions.OpenAsync(token);
        var account = await sessions.ConnectWithKeysAsync(token, LoopbackKeyApp.Slug, "Billing", Fields);
        var again = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() => sessions.ConnectWithKeysAsync(token, LoopbackKeyApp.Slug, "Twice", Fields));
        var outcome = await GetAsync(host, key, $"/v1/connect/sessions/{id}");

        // The page lives beside the OAuth callback, the Host's public address.
        Assert.StartsWith(new Uri(new Uri(TestHost.RedirectUri), "/connect?token=cst_").ToString(), created.Json["url"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal((ConnectSessionRefusal.Unknown, ConnectSessionRefusal.AppNotAllowed, ConnectSessionRefusal.Spent), (wrongToken.Reason, otherApp.Reason, again.Reason));
        Assert.Equal([LoopbackKeyApp.Slug], opened.Apps);
        Assert.Equal(("user-42", ConnectSessionStatus.Pending), (opened.EndUserId, opened.Status));
        Assert.Equal(TestHost.Workspace, account.WorkspaceId);
        Assert.Equal(("completed", account.Id), (outcome.Json!["status"]!.GetValue<string>(), outcome.Json["accountId"]!.GetValue<string>()));
        Assert.DoesNotContain(token[^43..], outcome.Body, StringComparison.Ordinal);
        Assert.Single(await host.ListAsync());
        Assert.DoesNotContain(token[^43..], await SecretScan.StoredTextAsync(host.Storage), StringComparison.Ordinal);
        await host.FlushAuditAsync();
        Assert.Contains(await host.Directory.GetAuditAsync(account.Id, 10), e => e.Action == "connected" && e.Actor == $"connect-session:{id}");
    }

    [Fact]
    public async Task A_session_whose_spending_cannot_be_stored_connects_nothing_and_works_once_storage_takes_it()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var key = await KeyAsync(host, "backend", TestHost.Workspace, Scopes.AccountsWrite);
        var created = await PostAsync(host, key, "/v1/connect/sessions", "{}");
        var id = created.Json!["id"]!.GetValue<string>();
        var token = created.Json["token"]!.GetValue<string>();
        var sessions = host.Grains.GetGrain<IConnectSessionUseGrain>(id);
        await sessions.OpenAsync(token);

        // The session's own row refuses every change; the accounts' rows do not.
        await SqlAsync(host, $"CREATE TRIGGER session_stuck BEFORE UPDATE ON accounts_grain_state WHEN NEW.grain_id_extension = '{id}' BEGIN SELECT RAISE(ABORT, 'session row refused'); END;");
        await Assert.ThrowsAnyAsync<Exception>(() => sessions.ConnectWithKeysAsync(token, LoopbackKeyApp.Slug, "Billing", Fields));
        var whileStuck = await host.ListAsync();
        await SqlAsync(host, "DROP TRIGGER session_stuck;");
        var account = await sessions.ConnectWithKeysAsync(token, LoopbackKeyApp.Slug, "Billing", Fields);
        var again = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() => sessions.ConnectWithKeysAsync(token, LoopbackKeyApp.Slug, "Twice", Fields));

        Assert.Empty(whileStuck);
        Assert.Equal(ConnectSessionRefusal.Spent, again.Reason);
        Assert.Equal(account.Id, Assert.Single(await host.ListAsync()).Id);
    }

    private static async Task SqlAsync(TestHost host, string sql)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(host.Storage.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task A_backend_cannot_make_a_session_outside_its_workspace_or_its_rules()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().With(s => s["Accounts:Connections:ConnectRedirectOrigins:0"] = Back).StartAsync();
        var key = await KeyAsync(host, "backend", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);
        var reader = await KeyAsync(host, "reader", TestHost.Workspace, Scopes.AccountsRead);
        var other = await KeyAsync(host, "other", "ws_other", Scopes.AccountsRead, Scopes.AccountsWrite);
        var mine = await PostAsync(host, key, "/v1/connect/sessions", "{}");

        var cases = new (string Name, string? Key, string Body, HttpStatusCode Expected, string? Error)[]
        {
            ("another workspace", key, """{ "workspaceId": "ws_other" }""", HttpStatusCode.Forbidden, null),
            ("redirect elsewhere", key, """{ "successRedirectUrl": "https://evil.example/x" }""", HttpStatusCode.BadRequest, "successRedirectUrl"),
            ("redirect with user info", key, $$"""{ "errorRedirectUrl": "https://me@{{Back[8..]}}/x" }""", HttpStatusCode.BadRequest, "errorRedirectUrl"),
            ("javascript redirect", key, """{ "successRedirectUrl": "javascript:alert(1)" }""", HttpStatusCode.BadRequest, "successRedirectUrl"),
            ("too long", key, """{ "lifetimeMinutes": 241 }""", HttpStatusCode.BadRequest, "lifetime"),
            ("no time", key, """{ "lifetimeMinutes": 0 }""", HttpStatusCode.BadRequest, "lifetime"),
            ("unknown app", key, """{ "apps": ["no_such_app"] }""", HttpStatusCode.BadRequest, "apps"),
            ("control characters", key, """{ "endUserId": "a\u0000b" }""", HttpStatusCode.BadRequest, "endUserId"),
            ("unknown account", key, """{ "accountId": "acct_01JZZZZZZZZZZZZZZZZZZZZZZZ" }""", HttpStatusCode.NotFound, null),
            ("no write scope", reader, "{}", HttpStatusCode.Forbidden, null),
        };
        foreach (var (name, caseKey, body, expected, error) in cases)
        {
            var answer = await PostAsync(host, caseKey, "/v1/connect/sessions", body);
            Assert.True(answer.Status == expected, $"{name}: {(int)answer.Status} {answer.Body}");
            if (error is not null) Assert.True(answer.Json!["errors"]![error] is not null, $"{name}: {answer.Body}");
        }
        var seenByOther = await GetAsync(host, other, $"/v1/connect/sessions/{mine.Json!["id"]!.GetValue<string>()}");
        var malformed = await GetAsync(host, key, "/v1/connect/sessions/not-a-session");
        await using var client = await host.ConnectClientAsync();
        var fromClient = await Assert.ThrowsAsync<PermissionDeniedException>(() => client.Grains.GetGrain<IConnectSessionUseGrain>(mine.Json["id"]!.GetValue<string>())
            .OpenAsync(mine.Json["token"]!.GetValue<string>()));

        Assert.Equal((HttpStatusCode.NotFound, "connect_session_not_found"), (seenByOther.Status, seenByOther.Json!["code"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, malformed.Status);
        Assert.Equal("service", fromClient.Needed);
    }

    [Fact]
    public async Task An_oauth_consent_through_a_session_completes_it_and_a_denied_one_leaves_it_open_to_try_again()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().StartAsync();
        var key = await KeyAsync(host, "backend", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);
        var created = await PostAsync(host, key, "/v1/connect/sessions", $$"""{ "apps": ["{{TestHost.OAuthSlug}}"] }""");
        var (id, token) = (created.Json!["id"]!.GetValue<string>(), created.Json["token"]!.GetValue<string>());
        var sessions = host.Grains.GetGrain<IConnectSessionUseGrain>(id);

        var denied = await sessions.StartOAuthAsync(token, TestHost.OAuthSlug, "Work");
        await Assert.ThrowsAsync<OAuthFlowException>(() => host.Grains.OAuthBrowserFlow(denied.State).CompleteAsync(new OAuthCallback(null, "access_denied", "no", null)));
        var afterDenied = await host.Grains.GetGrain<IConnectSessionGrain>(id).GetAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));
        var granted = await sessions.StartOAuthAsync(token, TestHost.OAuthSlug, "Work");
        var completed = await host.Grains.OAuthBrowserFlow(granted.State).CompleteAsync(new OAuthCallback("code-1", null, null, null));
        var afterGranted = await host.Grains.GetGrain<IConnectSessionGrain>(id).GetAsync();
        var late = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() => sessions.StartOAuthAsync(token, TestHost.OAuthSlug, "Again"));

        Assert.Equal((ConnectSessionStatus.Pending, "denied"), (afterDenied.Status, afterDenied.Error));
        Assert.Equal((ConnectSessionStatus.Completed, completed.AccountId, null), (afterGranted.Status, afterGranted.AccountId, afterGranted.Error));
        Assert.Equal(ConnectSessionRefusal.Spent, late.Reason);
    }

    [Fact]
    public async Task A_consent_whose_report_to_the_session_storage_refused_still_spends_the_session()
    {
        await using var host = await TestHost.On(StorageEngine.Postgres, postgres).WithFakeTokenEndpoint().StartAsync();
        var session = await host.Grains.GetGrain<IAccountConnectorGrain>(0).CreateConnectSessionAsync(new ConnectSessionRequest { WorkspaceId = TestHost.Workspace });
        var token = session.Token;
        var started = await host.Grains.GetGrain<IConnectSessionUseGrain>(session.Id).StartOAuthAsync(token, TestHost.OAuthSlug, "Work");
        await using var database = new AccountsDatabase(host.Storage);
        // Storage refuses the session's rows alone (53000 reads as an outage), so the flow completes but cannot tell it.
        await Storage.SchemaMigrationTests.ExecuteAsync(database, """
            CREATE FUNCTION refuse_session_writes() RETURNS trigger AS $$
            BEGIN
                IF NEW.grain_type = 'connect-session' THEN RAISE EXCEPTION 'sessions refused' USING ERRCODE = '53000'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER refuse_session_writes BEFORE INSERT OR UPDATE ON accounts_grain_state FOR EACH ROW EXECUTE FUNCTION refuse_session_writes();
            """);
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"));

        var completed = await host.Grains.OAuthBrowserFlow(started.State).CompleteAsync(new OAuthCallback("code-1", null, null, null));
        await Storage.SchemaMigrationTests.ExecuteAsync(database, "DROP TRIGGER refuse_session_writes ON accounts_grain_state; DROP FUNCTION refuse_session_writes();");
        // The activation that heard nothing is gone; what storage holds still says pending, with the flow outstanding.
        await host.RestartAsync();

        var second = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() =>
            host.Grains.GetGrain<IConnectSessionUseGrain>(session.Id).StartOAuthAsync(token, TestHost.OAuthSlug, "Second"));
        var view = await host.Grains.GetGrain<IConnectSessionGrain>(session.Id).GetAsync();

        Assert.Equal(ConnectSessionRefusal.Spent, second.Reason);
        Assert.Equal((ConnectSessionStatus.Completed, completed.AccountId), (view.Status, view.AccountId));
        Assert.Single((await host.Directory.ListAsync(new AccountQuery())).Items);
    }

    [Fact]
    public async Task A_reconnect_session_keeps_the_account_and_an_expired_session_opens_nothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithKeyApp().WithTime(clock).StartAsync();
        var account = await host.ConnectWithKeyAsync("Billing");
        var key = await KeyAsync(host, "backend", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);
        var reconnect = await PostAsync(host, key, "/v1/connect/sessions", $$"""{ "accountId": "{{account.Id}}" }""");
        var expiring = await PostAsync(host, key, "/v1/connect/sessions", """{ "lifetimeMinutes": 5 }""");
        var (reconnectId, reconnectToken) = (reconnect.Json!["id"]!.GetValue<string>(), reconnect.Json["token"]!.GetValue<string>());

        var offered = await host.Grains.GetGrain<IConnectSessionUseGrain>(reconnectId).OpenAsync(reconnectToken);
        var again = await host.Grains.GetGrain<IConnectSessionUseGrain>(reconnectId).ConnectWithKeysAsync(reconnectToken, LoopbackKeyApp.Slug, "ignored", Fields);
        clock.Advance(TimeSpan.FromMinutes(6));
        var expiringId = expiring.Json!["id"]!.GetValue<string>();
        var expired = await Assert.ThrowsAsync<ConnectSessionRefusedException>(() =>
            host.Grains.GetGrain<IConnectSessionUseGrain>(expiringId).OpenAsync(expiring.Json["token"]!.GetValue<string>()));
        var expiredView = await GetAsync(host, key, $"/v1/connect/sessions/{expiringId}");

        Assert.Equal([LoopbackKeyApp.Slug], offered.Apps);
        Assert.Equal(account.Id, again.Id);
        Assert.Single(await host.ListAsync());
        Assert.Equal(ConnectSessionRefusal.Expired, expired.Reason);
        Assert.Equal("expired", expiredView.Json!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sessions_are_kept_for_the_flow_retention_past_their_longest_lifetime_then_deleted()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var session = await host.Grains.GetGrain<IAccountConnectorGrain>(0).CreateConnectSessionAsync(new ConnectSessionRequest { WorkspaceId = TestHost.Workspace });
        var purge = host.Services.GetRequiredService<Connections.OAuth.ExpiredFlowPurge>();

        var within = await purge.PurgeAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(27), TestContext.Current.CancellationToken);
        var after = await purge.PurgeAsync(DateTimeOffset.UtcNow + TimeSpan.FromHours(29), TestContext.Current.CancellationToken);

        Assert.Equal((0, 1), (within, after));
        await host.RestartAsync();
        await Assert.ThrowsAsync<ConnectSessionNotFoundException>(() => host.Grains.GetGrain<IConnectSessionGrain>(session.Id).GetAsync());
    }

    private static async Task<string> KeyAsync(TestHost host, string name, string workspace, params string[] scopes)
        => (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = name, WorkspaceId = workspace, Scopes = scopes })).Key;

    private static Task<Answer> PostAsync(TestHost host, string? key, string path, string json)
        => SendAsync(host, key, new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    private static Task<Answer> GetAsync(TestHost host, string key, string path) => SendAsync(host, key, new HttpRequestMessage(HttpMethod.Get, path));

    private static async Task<Answer> SendAsync(TestHost host, string? key, HttpRequestMessage request)
    {
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return new Answer(response.StatusCode, body, body.StartsWith('{') ? JsonNode.Parse(body) : null);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, JsonNode? Json);
}

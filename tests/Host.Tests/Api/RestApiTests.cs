using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Testing;

namespace Accounts.Orleans.Host.Tests.Api;

/// <summary>
/// <c>/v1</c> the way an engine written in any language meets it: bare HTTP and JSON text, no contract types. Keys come
/// from the registry as an operator would create them.
/// </summary>
public sealed class RestApiTests
{
    private const string Other = "ws_other";

    [Fact]
    public async Task An_engine_connects_links_reads_renames_and_deletes_over_http_and_another_workspaces_key_gets_404_on_each()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var engine = await KeyAsync(host, "engine", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite, Scopes.CredentialsRead);
        var intruder = await KeyAsync(host, "intruder", Other, Scopes.AccountsRead, Scopes.AccountsWrite, Scopes.CredentialsRead);
        var reader = await KeyAsync(host, "reader", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);
        var everywhere = (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = "everywhere", Scopes = [Scopes.CredentialsRead] })).Key;

        var connected = await SendAsync(host, engine, HttpMethod.Post, "/v1/accounts",
            $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "Billing", "fields": { "api_key": "{{TestHost.Key}}", "region": "eu" } }""");
        Assert.Equal(HttpStatusCode.Created, connected.Status);
        var id = connected.Json!["id"]!.GetValue<string>();
        Assert.Equal($"/v1/accounts/{id}", connected.Location);
        Assert.Equal(TestHost.Workspace, connected.Json["workspaceId"]!.GetValue<string>());
        Assert.DoesNotContain(TestHost.Key, connected.Body, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(host, engine, HttpMethod.Put, $"/v1/accounts/{id}/links/wf_invoices/send")).Status);
        var credentials = await SendAsync(host, engine, HttpMethod.Post, $"/v1/accounts/{id}/credentials", """{ "workflowId": "wf_invoices", "stepId": "send" }""");
        var refusedRead = await SendAsync(host, reader, HttpMethod.Post, $"/v1/accounts/{id}/credentials", """{ "workflowId": "wf_invoices", "stepId": "send" }""");
        var readEverywhere = await SendAsync(host, everywhere, HttpMethod.Post, $"/v1/accounts/{id}/credentials", $$"""{ "workflowId": "wf_invoices", "stepId": "send", "workspaceId": "{{TestHost.Workspace}}" }""");
        var namedElsewhere = await SendAsync(host, engine, HttpMethod.Post, $"/v1/accounts/{id}/credentials", """{ "workflowId": "wf_invoices", "stepId": "send", "workspaceId": "ws_other" }""");

        var intruderCalls = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, $"/v1/accounts/{id}", null),
            (HttpMethod.Patch, $"/v1/accounts/{id}", """{ "nickname": "Mine" }"""),
            (HttpMethod.Put, $"/v1/accounts/{id}/links/wf_steal/take", null),
            (HttpMethod.Delete, $"/v1/accounts/{id}/links/wf_invoices/send", null),
            (HttpMethod.Post, $"/v1/accounts/{id}/credentials", """{ "workflowId": "wf_invoices", "stepId": "send" }"""),
            (HttpMethod.Post, $"/v1/accounts/{id}/refresh", null),
            (HttpMethod.Post, $"/v1/accounts/{id}/reconnect", $$"""{ "fields": { "api_key": "{{TestHost.Key}}" } }"""),
            (HttpMethod.Get, $"/v1/accounts/{id}/audit", null),
            (HttpMethod.Delete, $"/v1/accounts/{id}?force=true", null),
        };
        var unknown = await SendAsync(host, intruder, HttpMethod.Get, "/v1/accounts/acct_01JZZZZZZZZZZZZZZZZZZZZZZZ");
        foreach (var (method, path, body) in intruderCalls)
        {
            var answer = await SendAsync(host, intruder, method, path, body);
            Assert.True(answer.Status == HttpStatusCode.NotFound && answer.Json!["code"]!.GetValue<string>() == "account_not_found",
                $"{method} {path}: {(int)answer.Status} {answer.Body}");
            Assert.Equal(unknown.Json!["title"]!.GetValue<string>().Replace("acct_01JZZZZZZZZZZZZZZZZZZZZZZZ", id, StringComparison.Ordinal), answer.Json["title"]!.GetValue<string>());
        }
        var intruderList = await SendAsync(host, intruder, HttpMethod.Get, "/v1/accounts");

        var renamed = await SendAsync(host, engine, HttpMethod.Patch, $"/v1/accounts/{id}", """{ "nickname": "Billing (EU)" }""");
        var stillLinked = await SendAsync(host, engine, HttpMethod.Delete, $"/v1/accounts/{id}");
        var deleted = await SendAsync(host, engine, HttpMethod.Delete, $"/v1/accounts/{id}?force=true");
        var afterDelete = await SendAsync(host, engine, HttpMethod.Post, $"/v1/accounts/{id}/credentials", """{ "workflowId": "wf_invoices", "stepId": "send" }""");

        Assert.Equal(HttpStatusCode.OK, credentials.Status);
        Assert.Equal(TestHost.Key, credentials.Json!["fields"]!["api_key"]!.GetValue<string>());
        Assert.Equal("no-store", credentials.CacheControl);
        Assert.Equal((HttpStatusCode.Forbidden, "credentials:read"), (refusedRead.Status, refusedRead.Json!["needed"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, readEverywhere.Status);
        Assert.Equal(HttpStatusCode.NotFound, namedElsewhere.Status);
        Assert.Empty(intruderList.Json!["items"]!.AsArray());
        Assert.Equal("Billing (EU)", renamed.Json!["nickname"]!.GetValue<string>());
        Assert.Equal((HttpStatusCode.Conflict, "account_still_linked"), (stillLinked.Status, stillLinked.Json!["code"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.OK, "deleted"), (deleted.Status, deleted.Json!["health"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.Gone, afterDelete.Status);

        await host.FlushAuditAsync();
        var audit = await SendAsync(host, engine, HttpMethod.Get, $"/v1/accounts/{id}/audit?limit=100");
        var actions = audit.Json!["items"]!.AsArray().Select(e => (e!["action"]!.GetValue<string>(), e["actor"]!.GetValue<string>())).ToList();
        Assert.Contains(("credentials_read", "engine"), actions);
        Assert.Contains(("renamed", "engine"), actions);
        Assert.Equal(intruderCalls.Length, actions.Count(a => a == ("access_refused", "intruder")));
        var calls = await host.Directory.GetAuditAsync("apikey:intruder", 100);
        Assert.Contains(calls, e => e.Action == "api_call" && e.Detail!.StartsWith("GET /v1/accounts/{id} 404", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Calls_without_a_valid_key_get_401_and_bad_bodies_get_typed_errors_that_change_nothing()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var engine = await KeyAsync(host, "engine", TestHost.Workspace, Scopes.AccountsRead, Scopes.AccountsWrite);
        var revoked = await KeyAsync(host, "revoked", TestHost.Workspace, Scopes.AccountsRead);
        await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).RevokeAsync("revoked");
        var connect = "/v1/accounts";

        var noKey = await SendAsync(host, null, HttpMethod.Get, "/v1/accounts");
        var wrongScheme = await SendRawAsync(host, new HttpRequestMessage(HttpMethod.Get, "/v1/accounts") { Headers = { Authorization = new AuthenticationHeaderValue("Basic", engine) } });
        var madeUp = await SendAsync(host, "aok_abcdefghijkm_" + new string('A', 43), HttpMethod.Get, "/v1/accounts");
        var afterRevoke = await SendAsync(host, revoked, HttpMethod.Get, "/v1/accounts");
        var cases = new (string Name, string Body, string ContentType, HttpStatusCode Expected)[]
        {
            ("duplicate member", $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "A", "nickname": "B", "fields": { "api_key": "{{TestHost.Key}}" } }""", "application/json", HttpStatusCode.BadRequest),
            ("unknown member", $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "A", "fields": {}, "workspace": "ws_x" }""", "application/json", HttpStatusCode.BadRequest),
            ("not JSON", "appSlug=x", "application/json", HttpStatusCode.BadRequest),
            ("form", "appSlug=x", "application/x-www-form-urlencoded", HttpStatusCode.UnsupportedMediaType),
            ("too large", $$"""{ "appSlug": "{{new string('a', 70_000)}}" }""", "application/json", HttpStatusCode.RequestEntityTooLarge),
            ("control characters", $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "A\u0007B", "fields": { "api_key": "{{TestHost.Key}}" } }""", "application/json", HttpStatusCode.BadRequest),
            ("field against its rule", $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "A", "fields": { "api_key": "nope" } }""", "application/json", HttpStatusCode.BadRequest),
            ("unknown app", """{ "appSlug": "no_such_app", "nickname": "A", "fields": {} }""", "application/json", HttpStatusCode.BadRequest),
            ("another workspace", $$"""{ "appSlug": "{{LoopbackKeyApp.Slug}}", "nickname": "A", "fields": { "api_key": "{{TestHost.Key}}" }, "workspaceId": "ws_other" }""", "application/json", HttpStatusCode.Forbidden),
        };
        var answers = new List<(string Name, HttpStatusCode Status, string Body)>();
        foreach (var (name, body, contentType, _) in cases)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, connect) { Content = new StringContent(body, Encoding.UTF8, contentType) };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", engine);
            var answer = await SendRawAsync(host, request);
            answers.Add((name, answer.Status, answer.Body));
        }
        var badId = await SendAsync(host, engine, HttpMethod.Get, "/v1/accounts/" + new string('x', 300));
        var badQuery = await SendAsync(host, engine, HttpMethod.Get, "/v1/accounts?limit=many&health=great");

        var catalog = await SendAsync(host, null, HttpMethod.Get, "/api/apps?limit=1");
        var me = await SendAsync(host, engine, HttpMethod.Get, "/v1/me");

        Assert.All(new[] { noKey, wrongScheme, madeUp, afterRevoke }, a => Assert.Equal(HttpStatusCode.Unauthorized, a.Status));
        Assert.All(new[] { ("401", noKey), ("catalog", catalog), ("me", me), ("400", badId) }, a => Assert.True(a.Item2.ContentTypeOptions == "nosniff", a.Item1));
        Assert.Equal("Bearer", noKey.WwwAuthenticate);
        Assert.All(cases.Zip(answers), c => Assert.True(c.First.Expected == c.Second.Status, $"{c.First.Name}: {(int)c.Second.Status} {c.Second.Body}"));
        Assert.All(answers, a => Assert.DoesNotContain(TestHost.Key, a.Body, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, badId.Status);
        Assert.Equal(["health", "limit"], badQuery.Json!["errors"]!.AsObject().Select(e => e.Key).Order());
        Assert.Empty(await host.ListAsync());
        Assert.Empty(await host.ListAsync("ws_other"));
    }

    [Fact]
    public async Task A_key_past_its_rate_gets_429_with_retry_after_and_other_keys_are_not_slowed()
    {
        // Two a minute: a burst of two, then one more every 30 seconds, far slower than this test.
        await using var host = await TestHost.Sqlite().With(s => s["Accounts:Api:RequestsPerMinutePerKey"] = "2").StartAsync();
        var busy = await KeyAsync(host, "busy", TestHost.Workspace, Scopes.AccountsRead);
        var quiet = await KeyAsync(host, "quiet", TestHost.Workspace, Scopes.AccountsRead);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++) statuses.Add((await SendAsync(host, busy, HttpMethod.Get, "/v1/accounts")).Status);
        var limited = await SendAsync(host, busy, HttpMethod.Get, "/v1/accounts");
        var other = await SendAsync(host, quiet, HttpMethod.Get, "/v1/accounts");

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], statuses);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.True(int.TryParse(limited.RetryAfter, out var seconds) && seconds >= 1, limited.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, other.Status);
    }

    [Fact]
    public async Task The_host_serves_its_openapi_document_and_a_reference_page_without_third_party_assets()
    {
        await using var host = await TestHost.Sqlite().StartAsync();

        var document = JsonNode.Parse(await host.Http.GetStringAsync("/openapi/v1.json", TestContext.Current.CancellationToken))!;
        var page = await host.Http.GetStringAsync("/reference/", TestContext.Current.CancellationToken);

        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v1/accounts/{id}/credentials", paths);
        Assert.Contains("/v1/accounts/{id}/links/{workflowId}/{stepId}", paths);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["ApiKey"]!["scheme"]!.GetValue<string>());
        Assert.NotNull(document["paths"]!["/v1/accounts"]!["get"]!["security"]);
        Assert.Null(document["paths"]!["/api/apps"]!["get"]!["security"]);
        Assert.DoesNotMatch("src=\"https?://", page);
    }

    private static async Task<string> KeyAsync(TestHost host, string name, string workspace, params string[] scopes)
        => (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = name, WorkspaceId = workspace, Scopes = scopes })).Key;

    private static Task<Answer> SendAsync(TestHost host, string? key, HttpMethod method, string path, string? json = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        return SendRawAsync(host, request);
    }

    private static async Task<Answer> SendRawAsync(TestHost host, HttpRequestMessage request)
    {
        using var response = await host.Http.SendAsync(request, TestContext.Current.CancellationToken);
        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        JsonNode? json = null;
        try
        {
            json = body.Length > 0 ? JsonNode.Parse(body) : null;
        }
        catch (JsonException)
        {
        }
        return new Answer(response.StatusCode, body, json, response.Headers.Location?.ToString(), response.Headers.CacheControl?.ToString(),
            response.Headers.RetryAfter?.ToString(), response.Headers.WwwAuthenticate.ToString(),
            response.Headers.TryGetValues("X-Content-Type-Options", out var sniffing) ? string.Join(",", sniffing) : null);
    }

    private sealed record Answer(HttpStatusCode Status, string Body, JsonNode? Json, string? Location, string? CacheControl, string? RetryAfter, string WwwAuthenticate,
        string? ContentTypeOptions);
}

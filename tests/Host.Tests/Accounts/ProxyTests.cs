using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>Calls to an app's API through the service, against an API on loopback that records what it was sent.</summary>
public sealed class ProxyTests
{
    private const string Secret = "px_0123456789abcdef";
    private static readonly WorkflowStep Step = new("wf_sync", "pull");

    public enum Style { Bearer, Header, Query, Basic }

    public static TheoryData<Style> Styles => [Style.Bearer, Style.Header, Style.Query, Style.Basic];

    [Theory, MemberData(nameof(Styles))]
    public async Task A_call_carries_the_credential_the_apps_way_and_the_caller_and_the_audit_never_see_it(Style style)
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, style);
        var id = await ConnectAsync(host);

        var answer = await Proxy(host).ProxyAsync(id, Request(id, "/api/v1/users/42", query: [new("page", "2")], headers: new() { ["Accept"] = "application/json" }));
        await host.FlushAuditAsync();
        var audit = await host.Directory.GetAuditAsync(id, 100);

        Assert.Equal(200, answer.Status);
        var (method, target, sent, _) = Assert.Single(api.Requests);
        Assert.Equal("GET", method);
        Assert.StartsWith("/api/v1/users/42?page=2", target, StringComparison.Ordinal);
        Assert.Equal("application/json", sent["Accept"]);
        if (style == Style.Bearer) Assert.Equal("2024-01", sent["X-Api-Version"]);
        Assert.Contains(Secret, style switch
        {
            Style.Header => sent["X-Api-Key"],
            Style.Query => target,
            Style.Basic => Encoding.UTF8.GetString(Convert.FromBase64String(sent["Authorization"]["Basic ".Length..])),
            _ => sent["Authorization"],
        }, StringComparison.Ordinal);
        var seen = JsonSerializer.Serialize(answer) + Encoding.UTF8.GetString(answer.Body);
        Assert.DoesNotContain(Secret, seen, StringComparison.Ordinal);
        Assert.DoesNotContain(answer.Headers, h => h.Key.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(answer.Headers, h => h.Key == "X-Request-Path");
        var proxied = Assert.Single(audit, e => e.Action == "proxied");
        Assert.Equal("GET /api/v1/users/{id} → 200", proxied.Detail);
        Assert.Equal((Step.WorkflowId, Step.StepId), (proxied.WorkflowId, proxied.StepId));
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(audit), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/api/../../admin")]
    [InlineData("/api/%2e%2e/admin")]
    [InlineData("/api/%2F%2Fevil.example")]
    [InlineData("/api/%252e%252e/admin")]
    [InlineData("/api\\..\\admin")]
    [InlineData("/api/v1/users?admin=true")]
    [InlineData("/api/v1/users#frag")]
    [InlineData("/api/v1/\u0000users")]
    [InlineData("api/v1/users")]
    [InlineData("")]
    [InlineData("/@evil.example")]
    public async Task A_path_that_could_leave_the_apps_api_is_refused_and_nothing_is_sent(string path)
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer, basePath: "/api");
        var id = await ConnectAsync(host);

        var refusal = await Record.ExceptionAsync(() => Proxy(host).ProxyAsync(id, Request(id, path)));

        // "/@evil.example" stays a path on the app's own host; everything else is refused before anything leaves.
        if (path == "/@evil.example") Assert.Null(refusal);
        else
        {
            var invalid = Assert.IsType<AccountValidationException>(refusal);
            Assert.Contains("path", invalid.Errors.Keys);
            Assert.Empty(api.Requests);
        }
        Assert.All(api.Requests, r => Assert.StartsWith("/api/", r.Target, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Headers_that_carry_or_replace_credentials_cannot_be_set_by_the_caller()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Header);
        var id = await ConnectAsync(host);

        foreach (var header in new[] { "Authorization", "x-api-key", "Cookie", "Host", "Proxy-Authorization" })
        {
            var refused = await Assert.ThrowsAsync<AccountValidationException>(() =>
                Proxy(host).ProxyAsync(id, Request(id, "/api/v1/me", headers: new() { [header] = "mine" })));
            Assert.Contains("headers", refused.Errors.Keys);
        }
        Assert.Empty(api.Requests);
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once_and_the_call_is_tried_once_more()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint()
            .WithOAuthApi(new ApiSettings { BaseUrl = api.BaseAddress + "api", Headers = new Dictionary<string, string> { ["X-Api-Version"] = "2024-01" } }).StartAsync();
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));
        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        // The app revoked access-1 behind the service's back: only a refreshed token works.
        api.ValidSecret = "access-2";

        var answer = await Proxy(host).ProxyAsync(id, Request(id, "/v1/me"));
        api.ValidSecret = "access-3";
        var stillRefused = await Proxy(host).ProxyAsync(id, Request(id, "/v1/me"));

        Assert.Equal(200, answer.Status);
        // A version header alone does not replace the token's own header.
        Assert.All(api.Requests, r => Assert.Equal("2024-01", r.Headers["X-Api-Version"]));
        Assert.Equal(["Bearer access-1", "Bearer access-2", "Bearer access-2", "Bearer access-2"], api.Requests.Select(r => r.Headers["Authorization"]));
        Assert.Equal(1, host.Fake.Requests.Count(r => r.Field("grant_type") == "refresh_token"));
        // A second 401 inside the cooldown goes back to the caller as it came: no loop of refreshes.
        Assert.Equal(401, stillRefused.Status);
    }

    [Fact]
    public async Task Rate_limits_pass_back_with_retry_after_and_an_answer_past_the_cap_is_refused()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);

        var limited = await Proxy(host).ProxyAsync(id, Request(id, "/api/v1/limited"));
        var huge = await Assert.ThrowsAsync<ProxyFailedException>(() => Proxy(host).ProxyAsync(id, Request(id, "/api/v1/huge")));

        Assert.Equal(429, limited.Status);
        Assert.Contains(new KeyValuePair<string, string>("Retry-After", "7"), limited.Headers);
        Assert.Single(api.Requests, r => r.Target == "/api/v1/limited");
        Assert.Equal(ProxyFailure.TooLarge, huge.Failure);
        await host.FlushAuditAsync();
        var audit = await host.Directory.GetAuditAsync(id, 100);
        Assert.Contains(audit, e => e.Detail == "GET /api/v1/huge → toolarge");
    }

    [Fact]
    public async Task Over_rest_a_proxy_key_gets_the_apps_answer_and_a_key_without_the_scope_or_of_another_workspace_gets_nothing()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);
        var proxyKey = await KeyAsync(host, "proxy-only", TestHost.Workspace, Scopes.Proxy);
        var readerKey = await KeyAsync(host, "reader", TestHost.Workspace, Scopes.CredentialsRead);
        var otherKey = await KeyAsync(host, "other", "ws_other", Scopes.Proxy);
        var body = $$"""{ "workflowId": "{{Step.WorkflowId}}", "stepId": "{{Step.StepId}}", "method": "post", "path": "/api/v1/items", "body": "{\"name\":\"x\"}", "contentType": "application/json" }""";

        using var proxied = await PostAsync(host, proxyKey, $"/v1/accounts/{id}/proxy", body);
        using var withoutScope = await PostAsync(host, readerKey, $"/v1/accounts/{id}/proxy", body);
        using var otherWorkspace = await PostAsync(host, otherKey, $"/v1/accounts/{id}/proxy", body);
        using var escaping = await PostAsync(host, proxyKey, $"/v1/accounts/{id}/proxy", body.Replace("/api/v1/items", "/api/../x", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("true", proxied.Headers.GetValues("Accounts-Proxied").Single());
        using (var json = JsonDocument.Parse(await proxied.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)))
        {
            Assert.Equal("POST", json.RootElement.GetProperty("method").GetString());
            Assert.Equal("{\"name\":\"x\"}", json.RootElement.GetProperty("body").GetString());
        }
        Assert.Equal("application/json", Assert.Single(api.Requests).Headers["Content-Type"]);
        Assert.Equal(HttpStatusCode.Forbidden, withoutScope.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, otherWorkspace.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, escaping.StatusCode);
        foreach (var response in new[] { proxied, withoutScope, otherWorkspace, escaping })
            Assert.DoesNotContain(Secret, await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_rest_the_answer_is_passed_on_as_the_app_sends_it_before_the_app_has_finished()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);
        var key = await KeyAsync(host, "proxy", TestHost.Workspace, Scopes.Proxy);

        using var answer = await SendAsync(host, key, id, "/api/v1/trickle");
        await using var body = await answer.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var first = await ReadAtLeastAsync(body, "first,".Length);
        // The app has sent only its first part: what arrived cannot have been read whole and then passed on.
        Assert.False(api.Release.Task.IsCompleted);
        api.Release.SetResult();
        var rest = await new StreamReader(body).ReadToEndAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Equal("true", answer.Headers.GetValues("Accounts-Proxied").Single());
        Assert.Equal("first,last", first + rest);
        await host.FlushAuditAsync();
        Assert.Contains(await host.Directory.GetAuditAsync(id, 100), e => e.Detail == "GET /api/v1/trickle → 200");
    }

    [Fact]
    public async Task Over_rest_an_answer_past_the_cap_is_cut_off_at_the_cap_and_one_declared_past_it_is_refused_before_it_starts()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        const int cap = 1024 * 1024;
        await using var host = await KeyAppHostAsync(api, Style.Bearer, settings: new() { ["Accounts:Connections:ProxyMaxResponseBytes"] = cap.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var id = await ConnectAsync(host);
        var key = await KeyAsync(host, "proxy", TestHost.Workspace, Scopes.Proxy);

        using var declared = await SendAsync(host, key, id, "/api/v1/declared-huge");
        using var streamed = await SendAsync(host, key, id, "/api/v1/huge");
        await using var body = await streamed.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
        var received = 0L;
        var buffer = new byte[64 * 1024];
        // A transfer cut short is an error to the client, never an end of body it could take for the whole answer.
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            int read;
            while ((read = await body.ReadAsync(buffer, TestContext.Current.CancellationToken)) > 0) received += read;
        });

        Assert.Equal(HttpStatusCode.BadGateway, declared.StatusCode);
        Assert.Equal("proxy_response_too_large", await ProblemCodeAsync(declared));
        Assert.Equal(HttpStatusCode.OK, streamed.StatusCode);
        Assert.InRange(received, 1, cap);
        await host.FlushAuditAsync();
        var audit = await host.Directory.GetAuditAsync(id, 100);
        Assert.Contains(audit, e => e.Detail == "GET /api/v1/declared-huge → toolarge");
        Assert.Contains(audit, e => e.Detail == "GET /api/v1/huge → toolarge");
    }

    [Fact]
    public async Task A_caller_that_goes_away_mid_answer_closes_the_apps_connection()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);
        var key = await KeyAsync(host, "proxy", TestHost.Workspace, Scopes.Proxy);

        using (var answer = await SendAsync(host, key, id, "/api/v1/trickle"))
        {
            await using var body = await answer.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken);
            await ReadAtLeastAsync(body, "first,".Length);
        }

        await api.Abandoned.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        // The app sees its connection close as the proxy lets go of it, a moment before the proxy records the call.
        await Eventually.TrueAsync(async () =>
        {
            await host.FlushAuditAsync();
            return (await host.Directory.GetAuditAsync(id, 100)).Any(e => e.Detail?.StartsWith("GET /api/v1/trickle → ", StringComparison.Ordinal) == true);
        }, TimeSpan.FromSeconds(30), "the abandoned call in the audit");
    }

    [Fact]
    public async Task A_client_streams_the_answer_head_first_up_to_the_cap_under_the_proxy_scope_and_a_key_without_it_gets_nothing()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);
        await using var asProxy = await host.ConnectClientAsync(await KeyAsync(host, "proxy", TestHost.Workspace, Scopes.Proxy));
        await using var asReader = await host.ConnectClientAsync(await KeyAsync(host, "reader", TestHost.Workspace, Scopes.CredentialsRead));
        await using var asOther = await host.ConnectClientAsync(await KeyAsync(host, "other", "ws_other", Scopes.Proxy));

        var cancellation = TestContext.Current.CancellationToken;
        var parts = new List<ProxyPart>();
        var cut = await Assert.ThrowsAsync<ProxyFailedException>(async () =>
        {
            await foreach (var part in asProxy.Grains.StreamProxyAsync(id, Request(id, "/api/v1/huge"), cancellation).WithCancellation(cancellation)) parts.Add(part);
        });
        var ofSmall = await asProxy.Grains.StreamProxyAsync(id, Request(id, "/api/v1/users/7"), cancellation).ToListAsync(cancellation);
        var unscoped = await Assert.ThrowsAsync<PermissionDeniedException>(async () => await asReader.Grains.StreamProxyAsync(id, Request(id, "/api/v1/users/7"), cancellation).ToListAsync(cancellation));
        await Assert.ThrowsAsync<AccountNotFoundException>(async () => await asOther.Grains.StreamProxyAsync(id, Request(id, "/api/v1/users/7") with { WorkspaceId = "ws_other" }, cancellation).ToListAsync(cancellation));
        await Assert.ThrowsAsync<AccountValidationException>(async () => await asProxy.Grains.StreamProxyAsync(id, Request(id, "/api/../x"), cancellation).ToListAsync(cancellation));
        var missing = await Assert.ThrowsAsync<AccountValidationException>(async () => await asProxy.Grains.StreamProxyAsync(id, null!, cancellation).ToListAsync(cancellation));
        await Assert.ThrowsAsync<AccountNotFoundException>(async () => await asProxy.Grains.StreamProxyAsync("", Request(id, "/api/v1/users/7"), cancellation).ToListAsync(cancellation));

        var head = Assert.IsType<ProxyHead>(parts[0].Head);
        Assert.Equal(200, head.Status);
        Assert.All(parts.Skip(1), p => Assert.Null(p.Head));
        Assert.Equal(ProxyFailure.TooLarge, cut.Failure);
        Assert.InRange(parts.Sum(p => p.Data.Length), 1, 5 * 1024 * 1024);
        Assert.True(parts.Count > 2, "a large answer comes in many parts");
        Assert.Contains("\"path\":\"/api/v1/users/7\"", Encoding.UTF8.GetString(ofSmall.SelectMany(p => p.Data).ToArray()), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, JsonSerializer.Serialize(ofSmall[0].Head), StringComparison.Ordinal);
        Assert.Equal(Scopes.Proxy, unscoped.Needed);
        Assert.Equal(["request"], missing.Errors.Keys);
        Assert.Equal(2, api.Requests.Count);
    }

    [Fact]
    public async Task A_step_that_is_not_linked_cannot_call_the_app()
    {
        await using var api = await LoopbackApiApp.StartAsync();
        api.ValidSecret = Secret;
        await using var host = await KeyAppHostAsync(api, Style.Bearer);
        var id = await ConnectAsync(host);

        await Assert.ThrowsAsync<StepNotLinkedException>(() => Proxy(host).ProxyAsync(id, Request(id, "/api/v1/me") with { StepId = "other" }));

        Assert.Empty(api.Requests);
    }

    private const string Slug = "proxied_keys";

    private static Task<TestHost> KeyAppHostAsync(LoopbackApiApp api, Style style, string basePath = "", Dictionary<string, string?>? settings = null)
        => TestHost.Sqlite().With(s =>
        {
            foreach (var (name, value) in settings ?? []) s[name] = value;
        }).With(s => TestCatalog.AddTo(s, new AppDefinition
        {
            Slug = Slug,
            Name = "Proxied Keys",
            Categories = ["developer-tools"],
            DocsUrl = "https://docs.proxied.example",
            AuthType = AuthType.Keys,
            Fields =
            [
                new KeyField { Name = "api_key", Label = "API key", Secret = true, Pattern = "^px_[a-z0-9]{16}$" },
                new KeyField { Name = "user", Label = "User", Required = false },
            ],
            Api = new ApiSettings
            {
                BaseUrl = api.BaseAddress.ToString().TrimEnd('/') + basePath,
                Headers = style switch
                {
                    Style.Bearer => new Dictionary<string, string> { ["Authorization"] = "Bearer {{api_key}}", ["X-Api-Version"] = "2024-01" },
                    Style.Header => new Dictionary<string, string> { ["X-Api-Key"] = "{{api_key}}" },
                    Style.Basic => new Dictionary<string, string> { ["Authorization"] = "Basic {{basic:api_key:user}}" },
                    _ => new Dictionary<string, string>(),
                },
                Query = style == Style.Query ? new Dictionary<string, string> { ["api_key"] = "{{api_key}}" } : new Dictionary<string, string>(),
            },
        })).StartAsync();

    private static async Task<string> ConnectAsync(TestHost host)
    {
        var account = await host.Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = Slug, Nickname = "Proxied", Actor = "ops",
            Fields = new Dictionary<string, string> { ["api_key"] = Secret, ["user"] = "X" },
        });
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        return account.Id;
    }

    private static IAccountProxyGrain Proxy(TestHost host) => host.Grains.GetGrain<IAccountProxyGrain>(0);

    private static ProxyRequest Request(string id, string path, List<KeyValuePair<string, string>>? query = null, Dictionary<string, string>? headers = null) => new()
    {
        WorkspaceId = TestHost.Workspace,
        WorkflowId = Step.WorkflowId,
        StepId = Step.StepId,
        Path = path,
        Query = query ?? [],
        Headers = headers ?? [],
    };

    private static async Task<string> KeyAsync(TestHost host, string name, string workspace, params string[] scopes)
        => (await host.Grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = name, WorkspaceId = workspace, Scopes = scopes })).Key;

    /// <summary>A proxied GET over REST, answered as soon as the head is in, so the test reads the body as it comes.</summary>
    private static Task<HttpResponseMessage> SendAsync(TestHost host, string key, string id, string path)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/accounts/{id}/proxy")
        {
            Content = new StringContent($$"""{ "workflowId": "{{Step.WorkflowId}}", "stepId": "{{Step.StepId}}", "path": "{{path}}" }""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
    }

    private static async Task<string> ReadAtLeastAsync(Stream body, int count)
    {
        var buffer = new byte[count];
        await body.ReadExactlyAsync(buffer, TestContext.Current.CancellationToken);
        return Encoding.UTF8.GetString(buffer);
    }

    private static async Task<string?> ProblemCodeAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        return json.RootElement.TryGetProperty("code", out var code) ? code.GetString() : null;
    }

    private static Task<HttpResponseMessage> PostAsync(TestHost host, string key, string path, string json)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return host.Http.SendAsync(request, TestContext.Current.CancellationToken);
    }
}

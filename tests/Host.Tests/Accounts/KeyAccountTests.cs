using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Host.Tests.Accounts;

public sealed class KeyAccountTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private static readonly WorkflowStep Step = new("wf_invoices", "send_email");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    [Theory, MemberData(nameof(Engines))]
    public async Task A_linked_step_reads_the_keys_that_were_connected_and_verified(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().StartAsync();

        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        var credentials = await host.Account(account.Id).GetCredentialsAsync(Read);

        Assert.True(Connections.AccountIds.IsValid(account.Id), account.Id);
        Assert.Equal(AccountHealth.Healthy, account.Health);
        Assert.Equal(AuthType.Keys, account.AuthType);
        Assert.Equal(TestHost.Key, credentials.Fields["api_key"]);
        Assert.Equal("eu", credentials.Fields["region"]);
        Assert.Equal(1, host.KeyApp!.Calls);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Accounts_and_their_links_survive_a_full_host_restart(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);

        await host.RestartAsync();
        var credentials = await host.Account(account.Id).GetCredentialsAsync(Read);
        var listed = await host.Directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });

        Assert.Equal(TestHost.Key, credentials.Fields["api_key"]);
        Assert.Equal([Step], Assert.Single(listed.Items).LinkedSteps);
    }

    [Fact]
    public async Task The_summary_shows_secret_fields_masked_and_plain_fields_in_full()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();

        var account = await host.ConnectWithKeyAsync();

        Assert.Equal("••••0123", account.Fields["api_key"]);
        Assert.Equal("eu", account.Fields["region"]);
        Assert.DoesNotContain(TestHost.Key, account.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keys_the_app_refuses_are_reported_with_its_answer_but_never_the_key_and_no_account_is_made()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        const string wrong = "lk_ffffffffffffffffffff";

        var error = await Assert.ThrowsAsync<KeyVerificationFailedException>(() => host.ConnectWithKeyAsync(key: wrong));

        Assert.Contains("HTTP 401", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid API key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery())).Items);
    }

    public static TheoryData<string, string, string> BadFields => new()
    {
        { "api_key", "", "fields.api_key" },
        { "api_key", "not-a-loopback-key", "fields.api_key" },
        { "api_key", "lk_" + new string('a', 5000), "fields.api_key" },
        { "api_key", "lk_0123456789abcdef\u0000", "fields.api_key" },
        { "region", "mars", "fields.region" },
        { "color", "blue", "fields.color" },
    };

    [Theory, MemberData(nameof(BadFields))]
    public async Task Field_values_that_break_the_apps_rules_are_refused_by_field_before_the_app_is_called(string field, string value, string errorKey)
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var fields = new Dictionary<string, string> { ["api_key"] = TestHost.Key, [field] = value };

        var error = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = TestHost.Workspace,
            AppSlug = LoopbackKeyApp.Slug,
            Nickname = "Primary",
            Fields = fields,
            Actor = "ops",
        }));

        Assert.Contains(errorKey, error.Errors.Keys);
        Assert.DoesNotContain(value.Length > 3 ? value : "\u0001", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, host.KeyApp!.Calls);
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery())).Items);
    }

    [Fact]
    public async Task An_unknown_app_an_oauth_app_and_an_empty_nickname_are_refused()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        KeyConnectRequest Request(string app, string nickname) => new()
        {
            WorkspaceId = TestHost.Workspace,
            AppSlug = app,
            Nickname = nickname,
            Fields = new Dictionary<string, string>(),
            Actor = "ops",
        };

        var unknown = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.ConnectWithKeysAsync(Request("no_such_app", "x")));
        var oauth = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.ConnectWithKeysAsync(Request("slack", "x")));
        var nameless = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.ConnectWithKeysAsync(Request(LoopbackKeyApp.Slug, "  ")));

        Assert.Contains("appSlug", unknown.Errors.Keys);
        Assert.Contains("appSlug", oauth.Errors.Keys);
        Assert.Contains("nickname", nameless.Errors.Keys);
    }

    [Fact]
    public async Task Credentials_are_refused_to_another_workspace_an_unlinked_step_and_an_unknown_account()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);

        await Assert.ThrowsAsync<AccountAccessDeniedException>(() => host.Account(account.Id).GetCredentialsAsync(Read with { WorkspaceId = "ws_other" }));
        await Assert.ThrowsAsync<AccountAccessDeniedException>(() => host.Account(account.Id).LinkAsync("ws_other", new WorkflowStep("wf_x", "s")));
        var unlinked = await Assert.ThrowsAsync<StepNotLinkedException>(() => host.Account(account.Id).GetCredentialsAsync(Read with { StepId = "other_step" }));
        await Assert.ThrowsAsync<AccountNotFoundException>(() => host.Account("acct_01jdzzzzzzzzzzzzzzzzzzzzzz").GetCredentialsAsync(Read));

        Assert.Equal("other_step", unlinked.Step.StepId);
    }

    [Fact]
    public async Task Deleting_a_linked_account_names_its_workflows_and_needs_force()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);

        var refused = await Assert.ThrowsAsync<AccountStillLinkedException>(() => host.Account(account.Id).DeleteAsync(force: false, "ops"));
        var tombstone = await host.Account(account.Id).DeleteAsync(force: true, "ops");

        Assert.Contains("wf_invoices", refused.Message, StringComparison.Ordinal);
        Assert.Equal([Step], refused.Steps);
        Assert.Equal(AccountHealth.Deleted, tombstone.Health);
        Assert.Empty(tombstone.Fields);
        Assert.Empty(tombstone.LinkedSteps);
        await Assert.ThrowsAsync<AccountDeletedException>(() => host.Account(account.Id).GetCredentialsAsync(Read));
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery())).Items);
        Assert.Single((await host.Directory.ListAsync(new AccountQuery { IncludeDeleted = true })).Items);
    }

    [Fact]
    public async Task Reconnecting_keeps_the_id_and_every_link_and_serves_the_new_keys()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);

        var reconnected = await host.Connector.ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = account.Id,
            WorkspaceId = TestHost.Workspace,
            Fields = new Dictionary<string, string> { ["api_key"] = TestHost.Key, ["region"] = "us" },
            Actor = "ops",
        });
        var credentials = await host.Account(account.Id).GetCredentialsAsync(Read);

        Assert.Equal(account.Id, reconnected.Id);
        Assert.Equal([Step], reconnected.LinkedSteps);
        Assert.Equal("us", credentials.Fields["region"]);
        await Assert.ThrowsAsync<AccountAccessDeniedException>(() => host.Connector.ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = account.Id,
            WorkspaceId = "ws_other",
            Fields = new Dictionary<string, string> { ["api_key"] = TestHost.Key },
            Actor = "ops",
        }));
    }

    [Fact]
    public async Task Renaming_validates_the_nickname()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();

        var renamed = await host.Account(account.Id).RenameAsync("  Billing  ", "ops");

        Assert.Equal("Billing", renamed.Nickname);
        await Assert.ThrowsAsync<AccountValidationException>(() => host.Account(account.Id).RenameAsync(new string('n', 101), "ops"));
        await Assert.ThrowsAsync<AccountValidationException>(() => host.Account(account.Id).RenameAsync("bad\nname", "ops"));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task Every_credential_read_and_admin_action_is_in_the_audit_trail_without_secrets(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        await host.Account(account.Id).GetCredentialsAsync(Read);
        await host.Account(account.Id).RenameAsync("Renamed", "ops@example.com");

        var trail = await host.Directory.GetAuditAsync(account.Id, 10);

        Assert.Equal(["renamed", "credentials_read", "linked", "connected"], trail.Select(e => e.Action));
        var read = trail.Single(e => e.Action == "credentials_read");
        Assert.Equal((Step.WorkflowId, Step.StepId), (read.WorkflowId, read.StepId));
        Assert.Equal("ops@example.com", trail[0].Actor);
        Assert.All(trail, e => Assert.DoesNotContain(TestHost.Key, e.ToString(), StringComparison.Ordinal));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task The_directory_filters_by_workspace_app_text_and_workflow_and_pages_by_cursor(StorageEngine engine)
    {
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().StartAsync();
        var ids = new List<string>();
        foreach (var name in new[] { "Billing EU", "Billing US", "Marketing", "Support 100%" })
            ids.Add((await host.ConnectWithKeyAsync(name)).Id);
        await host.ConnectWithKeyAsync("Elsewhere", workspace: "ws_other");
        await host.Account(ids[2]).LinkAsync(TestHost.Workspace, Step);

        var workspace = await host.Directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace });
        var billing = await host.Directory.ListAsync(new AccountQuery { Text = "BILLING" });
        var percent = await host.Directory.ListAsync(new AccountQuery { Text = "100%" });
        var underscore = await host.Directory.ListAsync(new AccountQuery { Text = "_" });
        var used = await host.Directory.ListAsync(new AccountQuery { WorkflowId = Step.WorkflowId });
        var first = await host.Directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace, Limit = 3 });
        var second = await host.Directory.ListAsync(new AccountQuery { WorkspaceId = TestHost.Workspace, Limit = 3, Cursor = first.Next });

        Assert.Equal(ids, workspace.Items.Select(a => a.Id));
        Assert.Equal(2, billing.Items.Count);
        Assert.Equal("Support 100%", Assert.Single(percent.Items).Nickname);
        Assert.Empty(underscore.Items);
        Assert.Equal(ids[2], Assert.Single(used.Items).Id);
        Assert.Equal(ids, first.Items.Concat(second.Items).Select(a => a.Id));
        Assert.Null(second.Next);
        await Assert.ThrowsAsync<AccountValidationException>(() => host.Directory.ListAsync(new AccountQuery { Cursor = "garbage!" }));
        await Assert.ThrowsAsync<AccountValidationException>(() => host.Directory.ListAsync(new AccountQuery { Limit = 0 }));
    }
}

public sealed class KeyVerificationAddressTests
{
    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("169.254.169.254")]
    [InlineData("localhost")]
    public async Task A_user_typed_host_cannot_make_the_service_call_its_own_network(string host)
    {
        using var data = new TempDirectory();
        var error = await ConnectSelfHostedAsync(data, new KeyField { Name = "host", Label = "Server", Pattern = "^[A-Za-z0-9.-]{1,253}$" }, "https://{{host}}/api/me", host,
            settings => settings["Accounts:Connections:AllowLoopbackHttp"] = "false");

        Assert.Contains("private or local", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_server_the_person_names_is_answered_with_its_status_class_and_nothing_it_said()
    {
        await using var server = await LoopbackKeyApp.StartAsync("lk_0123456789abcdef0123");
        using var data = new TempDirectory();
        // A loopback host stands for the person's server, so the test can speak plain http to it; the port is theirs.
        var error = await ConnectSelfHostedAsync(data, new KeyField { Name = "port", Label = "Port", Pattern = "^[0-9]{1,5}$" }, "http://127.0.0.1:{{port}}/v1/me",
            server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, server.Calls);
        Assert.Equal("HTTP 4xx", error.AppAnswer);
        Assert.DoesNotContain("Invalid", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Connects an app whose test request goes where the person's <paramref name="where"/> says; the refusal.</summary>
    private static async Task<KeyVerificationFailedException> ConnectSelfHostedAsync(TempDirectory data, KeyField whereField, string url, string where,
        Action<Dictionary<string, string?>>? adjust = null)
    {
        var settings = RunningHost.Sqlite(data.Path);
        TestCatalog.AddTo(settings, new AppDefinition
        {
            Slug = "self_hosted",
            Name = "Self Hosted",
            Categories = ["developer-tools"],
            DocsUrl = "https://docs.self-hosted.example",
            AuthType = AuthType.Keys,
            Fields = [whereField, new KeyField { Name = "token", Label = "Token", Secret = true }],
            TestRequest = new TestRequest { Url = url, Headers = new Dictionary<string, string> { ["Authorization"] = "Bearer {{token}}" } },
        });
        adjust?.Invoke(settings);
        await using var running = await RunningHost.StartAsync(settings);
        return await Assert.ThrowsAsync<KeyVerificationFailedException>(() => running.Grains.GetGrain<IAccountConnectorGrain>(0).ConnectWithKeysAsync(new KeyConnectRequest
        {
            WorkspaceId = "ws",
            AppSlug = "self_hosted",
            Nickname = "Internal",
            Fields = new Dictionary<string, string> { [whereField.Name] = where, ["token"] = "t0k3n-value" },
            Actor = "ops",
        }));
    }

    [Fact]
    public async Task Calls_to_apps_go_direct_so_a_proxy_in_the_environment_cannot_carry_them_past_the_address_policy()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        HttpMessageHandler? handler = host.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(Connections.Keys.KeyVerifier.HttpClientName);
        while (handler is DelegatingHandler outer) handler = outer.InnerHandler;

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.UseProxy);
        Assert.False(sockets.AllowAutoRedirect);
        Assert.NotNull(sockets.ConnectCallback);
    }
}

public sealed class WorkspaceLimitTests
{
    [Fact]
    public async Task A_workspace_holds_at_most_its_accounts_and_pending_consents_and_other_workspaces_are_not_held_back()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var host = await TestHost.Sqlite().WithKeyApp().WithFakeTokenEndpoint().WithTime(time).With(s =>
        {
            s["Accounts:Connections:MaxAccountsPerWorkspace"] = "2";
            s["Accounts:Connections:MaxPendingFlowsPerWorkspace"] = "3";
        }).StartAsync();

        var first = await host.ConnectWithKeyAsync("One");
        await host.ConnectWithKeyAsync("Two");
        var calls = host.KeyApp!.Calls;
        var third = await Assert.ThrowsAsync<WorkspaceLimitReachedException>(() => host.ConnectWithKeyAsync("Three"));
        var callsAfterRefusal = host.KeyApp.Calls;
        var elsewhere = await host.ConnectWithKeyAsync("Elsewhere", workspace: "ws_other");
        await host.Account(first.Id).DeleteAsync(force: true, "ops");
        var afterDelete = await host.ConnectWithKeyAsync("Three");

        await host.Account(afterDelete.Id).DeleteAsync(force: true, "ops");
        for (var i = 0; i < 3; i++) await host.StartFlowAsync();
        var fourth = await Assert.ThrowsAsync<WorkspaceLimitReachedException>(() => host.StartFlowAsync());
        time.Advance(TimeSpan.FromMinutes(11));
        var later = await host.StartFlowAsync();

        Assert.Equal((WorkspaceLimit.Accounts, 2), (third.Limit, third.Max));
        Assert.Equal(calls, callsAfterRefusal);
        Assert.Equal("ws_other", elsewhere.WorkspaceId);
        Assert.Equal("Three", afterDelete.Nickname);
        Assert.Equal((WorkspaceLimit.PendingFlows, 3), (fourth.Limit, fourth.Max));
        Assert.NotNull(later.Url);
    }
}

public sealed class AccountInputTests
{
    [Fact]
    public async Task A_workspace_id_has_one_spelling_and_extra_scopes_hold_no_hidden_characters()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().WithFakeTokenEndpoint().StartAsync();
        var keys = host.Grains.GetGrain<Contracts.Access.IApiKeyRegistryGrain>(0);

        foreach (var workspace in new[] { "ws_acme\u00A0", "ws_acme ", "\uFF57\uFF53_acme", "ws_\uFB01les", "ws\uD800" })
        {
            var connect = await Assert.ThrowsAsync<AccountValidationException>(async () =>
            {
                await host.ConnectWithKeyAsync(workspace: workspace);
                Assert.Fail($"'{string.Join(" ", workspace.Select(c => ((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture)))}' was taken as a workspace");
            });
            var key = await Assert.ThrowsAsync<AccountValidationException>(() => keys.CreateAsync(new Contracts.Access.ApiKeyRequest
            {
                Name = "tenant-key", WorkspaceId = workspace, Scopes = [Contracts.Access.Scopes.AccountsRead],
            }));
            Assert.Contains("workspaceId", connect.Errors.Keys);
            Assert.Contains("workspaceId", key.Errors.Keys);
        }
        var scopes = await Assert.ThrowsAsync<AccountValidationException>(() => host.Connector.StartOAuthAsync(new OAuthStartRequest
        {
            WorkspaceId = TestHost.Workspace, AppSlug = TestHost.OAuthSlug, Nickname = "Team", Actor = "ops", ExtraScopes = ["read\u0007", "write\u200B"],
        }));

        Assert.Equal(["extraScopes"], scopes.Errors.Keys);
        Assert.Empty((await host.Directory.ListAsync(new AccountQuery())).Items);
    }

    [Fact]
    public async Task Missing_or_malformed_requests_and_steps_are_validation_errors_not_crashes()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = host.Account((await host.ConnectWithKeyAsync()).Id);

        await Assert.ThrowsAsync<AccountValidationException>(() => account.GetCredentialsAsync(null!));
        await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync(TestHost.Workspace, null!));
        await Assert.ThrowsAsync<AccountValidationException>(() => account.UnlinkAsync(TestHost.Workspace, null!));
        await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync(TestHost.Workspace, new WorkflowStep("wf", new string('s', 201))));
        await Assert.ThrowsAsync<AccountValidationException>(() => account.LinkAsync(TestHost.Workspace, new WorkflowStep("wf\n", "s")));
        Assert.Empty((await account.GetAsync()).LinkedSteps);
    }
}

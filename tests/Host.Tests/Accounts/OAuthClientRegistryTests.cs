using System.Diagnostics;
using System.Text.Json;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Testing.OAuth;
using Accounts.Orleans.Vault;
using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Trace;

namespace Accounts.Orleans.Host.Tests.Accounts;

/// <summary>OAuth clients an operator enters at run time: stored sealed, used like configured ones, never shown again.</summary>
public sealed class OAuthClientRegistryTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private const string Slug = TestHost.OAuthSlug;
    private const string StoredClientId = "operator-entered-client";
    private const string Operator = "ops@example.com";

    /// <summary>The client secret the loopback server insists on; recognisable, and never legitimately anywhere but in memory.</summary>
    private const string SecretCanary = "cs_c4n4ry_5e3f9a1d7b2c";

    /// <summary>A next secret held for a rotation: sealed like the current one, never shown.</summary>
    private const string NextSecretCanary = "cs_n3xt_c4n4ry_8d1e6f0a";

    private static readonly WorkflowStep Step = new("wf_sync", "pull");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    private static OAuthClientRegistration Registration() => new() { AppSlug = Slug, ClientId = StoredClientId, ClientSecret = SecretCanary, Actor = Operator };

    /// <summary>A real authorization server that knows only the operator's client, and a Host whose configuration has no client for it.</summary>
    private Task<TestHost> StartWithoutConfiguredClientAsync(StorageEngine engine = StorageEngine.Sqlite, Action<Dictionary<string, string?>>? adjust = null)
        => TestHost.On(engine, postgres).WithAuthorizationServer(new LoopbackAuthorizationServerOptions
        {
            ClientId = StoredClientId,
            ClientSecret = SecretCanary,
            RedirectUris = [TestHost.RedirectUri],
            AccessTokenLifetime = TimeSpan.FromHours(1),
        }).With(settings =>
        {
            TestHost.WithoutConfiguredClient(settings);
            adjust?.Invoke(settings);
        }).StartAsync();

    [Fact]
    public async Task A_client_entered_at_run_time_connects_refreshes_and_revokes_against_a_real_authorization_server()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        await Assert.ThrowsAsync<OAuthClientNotConfiguredException>(() => host.StartFlowAsync());

        var status = await host.Clients.SetAsync(Registration());
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);
        var before = await host.Account(id).GetCredentialsAsync(Read);
        await host.Account(id).RefreshAsync(Operator);
        var after = await host.Account(id).GetCredentialsAsync(Read);
        var health = (await host.Account(id).GetAsync()).Health;
        await host.Account(id).DeleteAsync(force: true, Operator);

        Assert.Equal((Slug, StoredClientId, true, OAuthClientSource.Stored, Operator), (status.AppSlug, status.ClientId, status.HasSecret, status.Source, status.UpdatedBy));
        Assert.NotNull(status.UpdatedAt);
        Assert.Equal(AccountHealth.Healthy, health);
        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.Equal((1, 1, 1), (host.Server!.CodeExchanges, host.Server.Refreshes, host.Server.Revocations));
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task A_stored_client_secret_appears_in_no_stored_byte_listing_log_line_span_or_error(StorageEngine engine)
    {
        var spans = new List<Activity>();
        await using var host = await StartWithoutConfiguredClientAsync(engine, settings => settings["Logging:LogLevel:Default"] = "Trace");
        await host.StopHostAsync();
        await host.StartHostAsync(builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFakeLogging();
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        });
        var errors = new List<string>();

        var status = await host.Clients.SetAsync(Registration() with { NextClientSecret = NextSecretCanary });
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).RefreshAsync(Operator);
        var listed = await host.Clients.ListAsync();
        errors.Add((await Assert.ThrowsAsync<AccountValidationException>(() => host.Clients.SetAsync(Registration() with { ClientSecret = SecretCanary + new string('x', 4096) }))).ToString());
        errors.Add((await Assert.ThrowsAsync<AccountValidationException>(() => host.Clients.SetAsync(Registration() with { ClientSecret = SecretCanary + "\u0007" }))).ToString());
        errors.Add((await Assert.ThrowsAsync<AccountValidationException>(() => host.Clients.SetAsync(Registration() with { AppSlug = "sendgrid" }))).ToString());
        errors.Add((await Assert.ThrowsAsync<AccountValidationException>(() => host.Clients.SetAsync(Registration() with { NextClientSecret = NextSecretCanary + "\u0007" }))).ToString());
        errors.Add((Registration() with { NextClientSecret = NextSecretCanary }).ToString());
        var logs = string.Join("\n", host.Host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Select(r => $"{r.Message} {r.Exception}"));
        host.Host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        // The exporter hears every Host in this process until ours stops; read the spans after that. Stopping also stores the audit trail.
        await host.StopHostAsync();
        var traced = string.Join("\n", spans.SelectMany(s => s.Tags.Select(t => $"{t.Key}={t.Value}").Concat(s.Events.Select(e => e.Name)).Append(s.DisplayName).Append(s.StatusDescription)));
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        var shown = JsonSerializer.Serialize(listed) + "\n" + string.Join("\n", listed) + "\n" + status;

        // The secret was in use (the server refuses any other), and each place looked at holds the client.
        Assert.Equal((1, 1), (host.Server!.CodeExchanges, host.Server.Refreshes));
        Assert.Contains(StoredClientId, shown, StringComparison.Ordinal);
        Assert.Contains($"oauth-client:{Slug}", stored, StringComparison.Ordinal);
        Assert.Contains(logs.Split('\n'), line => line.Contains(StoredClientId, StringComparison.Ordinal));
        Assert.Contains(spans, s => s.DisplayName == "token.refresh");
        Assert.True(status.HasNextSecret);
        foreach (var secret in SecretScan.FormsOf(SecretCanary).Concat(SecretScan.FormsOf(NextSecretCanary)))
        {
            Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, shown, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, traced, StringComparison.Ordinal);
            Assert.All(errors, e => Assert.DoesNotContain(secret, e, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task While_a_stored_client_secret_rotation_overlaps_a_refused_secret_is_tried_again_with_the_next_one()
    {
        await using var host = await TestHost.Sqlite().WithFakeTokenEndpoint().With(TestHost.WithoutConfiguredClient).StartAsync();
        var expires = DateTimeOffset.UtcNow.AddDays(20);
        var status = await host.Clients.SetAsync(Registration() with { SecretExpiresAt = expires, NextClientSecret = NextSecretCanary, NextSecretExpiresAt = expires.AddDays(365) });
        host.Fake!.Enqueue(FakeResponse.Token("access-1", expiresIn: 3600, refreshToken: "refresh-1"))
            .Enqueue(FakeResponse.Error(401, "invalid_client"))
            .Enqueue(FakeResponse.Token("access-2", expiresIn: 3600, refreshToken: "refresh-2"));
        var started = await host.StartFlowAsync();
        using (var page = await host.CallbackAsync($"state={started.State}&code=c")) Assert.True(page.IsSuccessStatusCode);
        var id = (await host.Host.Grains.OAuthFlow(started.State).GetViewAsync()).AccountId!;
        await host.Account(id).LinkAsync(TestHost.Workspace, Step);

        await host.Account(id).RefreshAsync(Operator);
        var credentials = await host.Account(id).GetCredentialsAsync(Read);
        var listed = Assert.Single(await host.Clients.ListAsync());

        Assert.Equal("access-2", credentials.AccessToken);
        Assert.Equal(AccountHealth.Healthy, (await host.Account(id).GetAsync()).Health);
        // The code exchange went through with the current secret alone; the next one was tried only once the app refused the client.
        Assert.Equal([SecretCanary, SecretCanary, NextSecretCanary], host.Fake.Requests.Select(r => r.Field("client_secret")));
        Assert.Equal([StoredClientId, StoredClientId, StoredClientId], host.Fake.Requests.Select(r => r.Field("client_id")));
        // Until the operator promotes the next secret, the warning is about the current one.
        Assert.Equal((expires, true, OAuthClientSecretWarning.Within30Days, expires.AddDays(365)), (status.SecretExpiresAt, status.HasNextSecret, status.SecretWarning, status.NextSecretExpiresAt));
        Assert.Equal(status, listed);
    }

    [Fact]
    public async Task Invalid_registrations_are_refused_field_by_field_and_nothing_is_stored()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        var cases = new (OAuthClientRegistration Registration, string Field)[]
        {
            (Registration() with { AppSlug = "no_such_app" }, "appSlug"),
            (Registration() with { AppSlug = "sendgrid" }, "appSlug"),
            (Registration() with { AppSlug = "Not a slug" }, "appSlug"),
            (Registration() with { ClientId = "" }, "clientId"),
            (Registration() with { ClientId = "   " }, "clientId"),
            (Registration() with { ClientId = new string('c', 513) }, "clientId"),
            (Registration() with { ClientId = "client\0id" }, "clientId"),
            (Registration() with { ClientId = "client\u202Eid" }, "clientId"),
            (Registration() with { ClientSecret = "" }, "clientSecret"),
            (Registration() with { ClientSecret = new string('s', 4097) }, "clientSecret"),
            (Registration() with { ClientSecret = "sec\nret" }, "clientSecret"),
            (Registration() with { ClientSecret = "sec\u0000ret" }, "clientSecret"),
        };

        foreach (var (registration, field) in cases)
        {
            var error = await Assert.ThrowsAsync<AccountValidationException>(() => host.Clients.SetAsync(registration));
            Assert.True(error.Errors.Keys.SequenceEqual([field]), $"{registration}: expected an error for {field} alone, got {error.Message}");
        }
        var listed = await host.Clients.ListAsync();
        await Assert.ThrowsAsync<OAuthClientNotConfiguredException>(() => host.StartFlowAsync());
        // The limits themselves are allowed, and a public client has no secret at all.
        var longest = await host.Clients.SetAsync(Registration() with { ClientId = new string('c', 512), ClientSecret = new string('s', 4096) });
        var publicClient = await host.Clients.SetAsync(Registration() with { ClientSecret = null });

        Assert.Empty(listed);
        Assert.Equal((512, true), (longest.ClientId.Length, longest.HasSecret));
        Assert.False(publicClient.HasSecret);
    }

    [Fact]
    public async Task A_client_from_configuration_wins_and_cannot_be_replaced_or_removed_at_run_time()
    {
        await using var host = await TestHost.Sqlite().WithAuthorizationServer().StartAsync();

        var replace = await Assert.ThrowsAsync<OAuthClientInConfigurationException>(() => host.Clients.SetAsync(Registration() with { ClientId = "impostor" }));
        var remove = await Assert.ThrowsAsync<OAuthClientInConfigurationException>(() => host.Clients.RemoveAsync(Slug, Operator));
        var listed = Assert.Single(await host.Clients.ListAsync(), c => c.AppSlug == Slug);
        await host.ConnectWithOAuthAsync();

        Assert.Contains($"Accounts:OAuthClients:{Slug}", replace.Message, StringComparison.Ordinal);
        Assert.Equal(Slug, remove.AppSlug);
        Assert.Equal((TestHost.OAuthClientId, true, OAuthClientSource.Configuration, (DateTimeOffset?)null),
            (listed.ClientId, listed.HasSecret, listed.Source, listed.UpdatedAt));
        Assert.Equal(1, host.Server!.CodeExchanges);
    }

    [Fact]
    public async Task Removing_a_stored_client_makes_new_connections_fail_and_both_changes_are_audited()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        await host.Clients.SetAsync(Registration());
        await host.StartFlowAsync();

        await host.Clients.RemoveAsync(Slug, Operator);
        var error = await Assert.ThrowsAsync<OAuthClientNotConfiguredException>(() => host.StartFlowAsync());
        await host.Clients.RemoveAsync(Slug, "ops-again");
        var listed = await host.Clients.ListAsync();
        var audit = await host.Host.Grains.GetGrain<IAccountDirectoryGrain>(0).GetAuditAsync($"oauth-client:{Slug}", 10);

        Assert.Empty(listed);
        Assert.Equal(Slug, error.AppSlug);
        Assert.Equal(["oauth_client_removed", "oauth_client_set"], audit.Select(e => e.Action));
        Assert.All(audit, e => Assert.Equal(Operator, e.Actor));
        Assert.Contains(StoredClientId, audit[1].Detail, StringComparison.Ordinal);
    }

    [Theory, MemberData(nameof(Engines))]
    public async Task A_stored_client_survives_a_restart_and_opens_with_the_same_key_ring(StorageEngine engine)
    {
        await using var host = await StartWithoutConfiguredClientAsync(engine);
        await host.Clients.SetAsync(Registration());

        await host.RestartAsync();
        var listed = Assert.Single(await host.Clients.ListAsync());
        var id = await host.ConnectWithOAuthAsync();
        await host.Account(id).RefreshAsync(Operator);

        Assert.Equal((Slug, StoredClientId, true, OAuthClientSource.Stored, Operator), (listed.AppSlug, listed.ClientId, listed.HasSecret, listed.Source, listed.UpdatedBy));
        Assert.Equal((1, 1), (host.Server!.CodeExchanges, host.Server.Refreshes));
    }

    [Fact]
    public async Task Rotate_then_rewrap_moves_stored_client_secrets_so_the_old_master_key_can_be_retired()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        await host.Clients.SetAsync(Registration());
        await host.StopHostAsync();
        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);
        Assert.Equal(0, VaultCommands.Run(["vault", "rotate", "--file", ringFile], TextWriter.Null, TextWriter.Null));

        await host.StartHostAsync();
        var report = await host.Host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync(Operator);
        var again = await host.Host.Grains.GetGrain<IAccountMaintenanceGrain>(0).RewrapAllAsync(Operator);
        await host.StopHostAsync();
        var rotated = KeyRingFile.Read(ringFile);
        KeyRingFile.Write(ringFile, new KeyRing([rotated.Active], rotated.Active.Id));
        await host.StartHostAsync();
        await host.ConnectWithOAuthAsync();

        Assert.Equal((1, 0, 0), (report.Done, report.Skipped, report.Failed.Count));
        Assert.Equal((0, 1), (again.Done, again.Skipped));
        Assert.Equal(1, host.Server!.CodeExchanges);
    }

    [Fact]
    public async Task A_missing_master_key_ring_with_a_stored_client_secret_stops_the_host()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        await host.Clients.SetAsync(Registration());
        await host.StopHostAsync();
        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);
        File.Move(ringFile, ringFile + ".lost");

        var error = await Assert.ThrowsAsync<StartupException>(() => host.StartHostAsync());

        Assert.Contains("OAuth client", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ringFile));
        File.Move(ringFile + ".lost", ringFile);
        await host.StartHostAsync();
        Assert.Single(await host.Clients.ListAsync());
    }

    [Fact]
    public async Task Once_the_last_stored_client_is_removed_nothing_sealed_is_left_and_a_new_ring_may_be_generated()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        await host.Clients.SetAsync(Registration());
        await host.Clients.RemoveAsync(Slug, Operator);
        await host.StopHostAsync();
        File.Delete(Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName));

        await host.StartHostAsync();
        await host.Clients.SetAsync(Registration());
        await host.ConnectWithOAuthAsync();

        Assert.Equal(1, host.Server!.CodeExchanges);
    }

    [Fact]
    public async Task The_app_api_counts_a_stored_client_as_configured_until_it_is_removed()
    {
        await using var host = await StartWithoutConfiguredClientAsync();
        async Task<(bool Detail, bool Listed)> ConfiguredAsync()
        {
            var detail = await host.Host.GetJsonAsync<JsonElement>($"/api/apps/{Slug}");
            var list = await host.Host.GetJsonAsync<JsonElement>("/api/apps?q=loopback&auth=oauth2");
            var listed = list.GetProperty("items").EnumerateArray().Single(a => a.GetProperty("slug").GetString() == Slug);
            return (detail.GetProperty("oauth").GetProperty("clientConfigured").GetBoolean(), listed.GetProperty("oauth").GetProperty("clientConfigured").GetBoolean());
        }

        var before = await ConfiguredAsync();
        await host.Clients.SetAsync(Registration());
        var stored = await ConfiguredAsync();
        await host.Clients.RemoveAsync(Slug, Operator);
        var removed = await ConfiguredAsync();

        Assert.Equal((false, false), before);
        Assert.Equal((true, true), stored);
        Assert.Equal((false, false), removed);
    }
}

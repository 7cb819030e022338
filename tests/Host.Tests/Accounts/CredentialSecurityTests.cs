using System.Diagnostics;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Vault;
using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using OpenTelemetry.Trace;

namespace Accounts.Orleans.Host.Tests.Accounts;

public sealed class CredentialSecurityTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    /// <summary>Recognisable, valid for the loopback app's pattern, and never legitimately anywhere but in memory.</summary>
    private const string Canary = "lk_c4n4ry7f3a9c2e5b1d";
    private const string RejectedCanary = "lk_r3j3ct3dc4n4ry0042";

    [Theory, MemberData(nameof(Engines))]
    public async Task A_canary_secret_appears_in_no_stored_byte_log_line_span_or_error(StorageEngine engine)
    {
        var spans = new List<Activity>();
        await using var host = await TestHost.On(engine, postgres).WithKeyApp(Canary).With(settings => settings["Logging:LogLevel:Default"] = "Trace").StartAsync();
        await host.StopHostAsync();
        await host.StartHostAsync(builder =>
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddFakeLogging();
            builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(spans));
        });
        var errors = new List<string>();

        var account = await host.ConnectWithKeyAsync(key: Canary);
        var step = new WorkflowStep("wf_canary", "step_1");
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, step);
        var bundle = await host.Account(account.Id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, step.WorkflowId, step.StepId));
        errors.Add((await Assert.ThrowsAsync<KeyVerificationFailedException>(() => host.Connector.ReconnectWithKeysAsync(new KeyReconnectRequest
        {
            AccountId = account.Id,
            WorkspaceId = TestHost.Workspace,
            Fields = new Dictionary<string, string> { ["api_key"] = RejectedCanary },
            Actor = "ops",
        }))).ToString());
        errors.Add((await Assert.ThrowsAsync<AccountAccessDeniedException>(() => host.Account(account.Id).GetCredentialsAsync(new CredentialRequest("ws_other", step.WorkflowId, step.StepId)))).ToString());
        errors.Add(bundle.ToString());
        errors.Add(account.ToString());
        var logs = string.Join("\n", host.Host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot().Select(r => $"{r.Message} {r.Exception}"));
        host.Host.Services.GetRequiredService<TracerProvider>().ForceFlush();
        // The exporter hears every Host in this process until ours stops; read the spans after that.
        await host.StopHostAsync();
        var traced = string.Join("\n", spans.SelectMany(s => s.Tags.Select(t => $"{t.Key}={t.Value}").Concat(s.Events.Select(e => e.Name)).Append(s.DisplayName)));
        var stored = await SecretScan.StoredTextAsync(host.Storage);

        Assert.Equal(Canary, bundle.Fields["api_key"]);
        Assert.NotEmpty(logs);
        Assert.NotEmpty(spans);
        Assert.Contains(account.Id, stored, StringComparison.Ordinal);
        foreach (var secret in SecretScan.FormsOf(Canary).Append(RejectedCanary))
        {
            Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, traced, StringComparison.Ordinal);
            Assert.All(errors, e => Assert.DoesNotContain(secret, e, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_ring_that_is_not_the_stores_stops_the_start_and_a_rotated_one_is_accepted()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        var account = await host.ConnectWithKeyAsync();
        var step = new WorkflowStep("wf", "s");
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, step);
        await host.StopHostAsync();
        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);
        var original = KeyRingFile.Read(ringFile);

        // Same key id, different material: what a mix-up of two deployments' key files looks like.
        var impostor = new MasterKey(original.Active.Id, System.Security.Cryptography.RandomNumberGenerator.GetBytes(MasterKey.Length), original.Active.CreatedAt);
        KeyRingFile.Write(ringFile, new KeyRing([impostor], impostor.Id));
        var swapped = await Assert.ThrowsAsync<StartupException>(() => host.StartHostAsync());
        // Another deployment's ring altogether.
        var other = MasterKey.Generate(TimeProvider.System);
        KeyRingFile.Write(ringFile, new KeyRing([other], other.Id));
        var foreign = await Assert.ThrowsAsync<StartupException>(() => host.StartHostAsync());

        Assert.All([swapped, foreign], e =>
        {
            Assert.Contains(ringFile, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', e.Message);
        });
        Assert.Contains(original.Active.Id, swapped.Message, StringComparison.Ordinal);
        Assert.Contains("none of the keys", foreign.Message, StringComparison.Ordinal);

        // A rotation keeps the old key beside the new one: the store learns the new key and opens as before.
        KeyRingFile.Write(ringFile, original.Rotate(TimeProvider.System));
        await host.StartHostAsync();
        var credentials = await host.Account(account.Id).GetCredentialsAsync(new CredentialRequest(TestHost.Workspace, step.WorkflowId, step.StepId));
        Assert.NotNull(credentials);
        var stored = await SecretScan.StoredTextAsync(host.Storage);
        Assert.Contains(KeyRingFile.Read(ringFile).Active.Id, stored, StringComparison.Ordinal);
        using var ring = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(ringFile, TestContext.Current.CancellationToken));
        foreach (var key in ring.RootElement.GetProperty("keys").EnumerateArray())
        {
            var material = Convert.FromBase64String(key.GetProperty("material").GetString()!);
            Assert.DoesNotContain(Convert.ToHexString(material), stored, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(key.GetProperty("material").GetString()!, stored, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Opened_secrets_are_dropped_from_memory_once_nobody_reads_them_and_reopened_at_the_next_read()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp()
            .With(s => s["Accounts:Connections:OpenedSecretsIdleTime"] = "00:00:00.250").StartAsync();
        using var opened = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            host.Host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), Contracts.Telemetry.TelemetryNames.Meter, "accounts.credentials.opened");
        var account = await host.ConnectWithKeyAsync();
        var step = new WorkflowStep("wf", "s");
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, step);
        var read = new CredentialRequest(TestHost.Workspace, step.WorkflowId, step.StepId);
        long Opens() => opened.GetMeasurementSnapshot().Sum(m => m.Value);

        // A warm account keeps what it opened: back-to-back reads open the envelope at most once.
        await host.Account(account.Id).GetCredentialsAsync(read);
        var warm = Opens();
        await host.Account(account.Id).GetCredentialsAsync(read);
        Assert.Equal(warm, Opens());
        Assert.True(warm <= 1);

        // Left alone for two idle periods, the activation stops holding them; the next read opens the envelope again.
        await Eventually.TrueAsync(async () =>
        {
            await Task.Delay(600, TestContext.Current.CancellationToken);
            Assert.Equal(TestHost.Key, (await host.Account(account.Id).GetCredentialsAsync(read)).Fields["api_key"]);
            return Opens() > warm;
        }, TimeSpan.FromSeconds(15), "the idle account to drop and reopen its secrets");
    }

    [Fact]
    public async Task A_missing_master_key_ring_with_accounts_in_the_store_stops_the_host()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();
        await host.ConnectWithKeyAsync();
        var deleted = await host.ConnectWithKeyAsync("Gone");
        await host.Account(deleted.Id).DeleteAsync(force: true, "ops");
        await host.StopHostAsync();
        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);
        File.Move(ringFile, ringFile + ".lost");
        // The index is derived and may be lost or stale; the sealed rows themselves are what must not be orphaned.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(host.Storage.ConnectionString))
        {
            await connection.OpenAsync(TestContext.Current.CancellationToken);
            await using var wipe = connection.CreateCommand();
            wipe.CommandText = "DELETE FROM accounts_account_index;";
            await wipe.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        var error = await Assert.ThrowsAsync<StartupException>(() => host.StartHostAsync());

        Assert.Contains("Accounts:Vault:KeyRingFile", error.Message, StringComparison.Ordinal);
        Assert.Contains("1 account", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(ringFile));
        File.Move(ringFile + ".lost", ringFile);
        await host.StartHostAsync();
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_embedded_host_generates_its_key_ring_beside_the_data_readable_by_its_owner_only()
    {
        await using var host = await TestHost.Sqlite().WithKeyApp().StartAsync();

        var ringFile = Path.Combine(host.Storage.DataDirectory!, VaultOptions.DefaultFileName);

        Assert.True(File.Exists(ringFile));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ringFile));
        Assert.Single(KeyRingFile.Read(ringFile).Keys);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_data_folder_and_database_are_the_owners_alone_and_a_ring_others_can_read_stops_the_start()
    {
        using var data = new TempDirectory();
        var folder = Path.Combine(data.Path, "fresh");
        var settings = RunningHost.Sqlite(folder);
        var ringFile = Path.Combine(folder, VaultOptions.DefaultFileName);
        await using (var running = await RunningHost.StartAsync(settings))
        {
            await running.Grains.GetGrain<IAccountDirectoryGrain>(0).ListAsync(new AccountQuery());
        }
        var folderMode = File.GetUnixFileMode(folder);
        var databaseModes = Directory.GetFiles(folder, "accounts.db*").Select(File.GetUnixFileMode).ToList();

        File.SetUnixFileMode(ringFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => RunningHost.StartAsync(settings));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, folderMode);
        Assert.NotEmpty(databaseModes);
        Assert.All(databaseModes, mode => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, mode));
        Assert.Contains(ringFile, refused.Message, StringComparison.Ordinal);
        Assert.Contains("chmod 600", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_postgres_profile_without_a_key_ring_path_names_the_setting()
    {
        var settings = RunningHost.Postgres(await postgres.CreateDatabaseAsync());
        settings.Remove("Accounts:Vault:KeyRingFile");

        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));

        Assert.Contains("Accounts:Vault:KeyRingFile", error.Message, StringComparison.Ordinal);
    }
}

using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Host.Storage;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Accounts.Orleans.Host.Tests;

public sealed class StartupTests
{
    [Theory]
    [InlineData("Accounts:Storage:Provider", "Oracle", "Accounts:Storage:Provider")]
    [InlineData("Accounts:Cluster:SiloPort", "eleven", "Accounts:Cluster:SiloPort")]
    [InlineData("Accounts:Cluster:GatewayPort", "70000", "Accounts:Cluster:GatewayPort")]
    [InlineData("Accounts:Cluster:ServiceId", "has spaces", "Accounts:Cluster:ServiceId")]
    [InlineData("Accounts:Cluster:AdvertisedAddress", "not-an-ip", "Accounts:Cluster:AdvertisedAddress")]
    [InlineData("Accounts:Connections:SweepConcurrency", "0", "Accounts:Connections:SweepConcurrency")]
    [InlineData("Accounts:Connections:FlowLifetime", "-00:10:00", "Accounts:Connections:FlowLifetime")]
    [InlineData("Accounts:Connections:OutboundTimeout", "00:01:00", "Accounts:Connections:OutboundTimeout")]
    [InlineData("Accounts:Connections:SweepInterval", "00:00:00", "Accounts:Connections:SweepInterval")]
    [InlineData("Accounts:Connections:RedirectUri", "/oauth/callback", "Accounts:Connections:RedirectUri")]
    [InlineData("Accounts:Api:AppRequestsPerMinute", "0", "Accounts:Api:AppRequestsPerMinute")]
    [InlineData("Accounts:Api:AppRequestsPerMinute", "-5", "Accounts:Api:AppRequestsPerMinute")]
    [InlineData("Accounts:Storage:DataDirectory", "/proc/accounts-cannot-live-here", "Accounts:Storage:DataDirectory")]
    public async Task A_malformed_setting_stops_the_host_with_a_message_naming_its_key(string key, string value, string named)
    {
        using var data = new TempDirectory();
        var settings = RunningHost.Sqlite(data.Path);
        settings[key] = value;

        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_postgres_profile_without_a_connection_string_names_the_key()
    {
        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(new Dictionary<string, string?>
        {
            ["Accounts:Storage:Provider"] = "Postgres",
        }));
        Assert.Contains("ConnectionStrings:Accounts", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_stops_the_host_with_one_line_and_no_password()
    {
        var port = FreePorts.Next();
        var settings = RunningHost.Postgres($"Host=127.0.0.1;Port={port};Database=accounts;Username=accounts;Password=hunter2-canary;Timeout=3");

        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));

        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2-canary", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public async Task A_broken_catalog_override_file_stops_the_host_naming_the_setting()
    {
        using var data = new TempDirectory();
        var file = Path.Combine(data.Path, "apps.json");
        await File.WriteAllTextAsync(file, """{ "formatVersion": 1, "apps": [ { "slug": "acme", "name": "Acme", "authorizeURL": "x" } ] }""", TestContext.Current.CancellationToken);
        var settings = RunningHost.Sqlite(data.Path);
        settings["Accounts:Catalog:OverrideFile"] = file;

        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));
        Assert.Contains("Accounts:Catalog:OverrideFile", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oauth_client_without_a_client_id_stops_the_host_naming_the_key()
    {
        using var data = new TempDirectory();
        var settings = RunningHost.Sqlite(data.Path);
        settings["Accounts:OAuthClients:slack:ClientSecret"] = "s3cret-canary";

        var error = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));
        Assert.Contains("Accounts:OAuthClients:slack:ClientId", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-canary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_host_process_prints_one_line_and_exits_non_zero_on_a_bad_setting()
    {
        await using var host = HostProcess.Start(new Dictionary<string, string> { ["Accounts__Storage__Provider"] = "Mongo" });

        var exitCode = await host.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(1, exitCode);
        var lines = host.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = Assert.Single(lines);
        Assert.Contains("Accounts:Storage:Provider", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_storage_health_check_is_unhealthy_when_the_database_does_not_answer()
    {
        var options = new StorageOptions(StorageEngine.Postgres, $"Host=127.0.0.1;Port={FreePorts.Next()};Database=x;Username=x;Timeout=2", null);
        await using var database = new AccountsDatabase(options);

        var result = await new StorageHealthCheck(database).CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }
}

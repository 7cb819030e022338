using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Accounts.Orleans.Host.Tests.Telemetry;

public sealed class DefaultLoggingTests
{
    [Fact]
    public async Task At_the_default_levels_the_log_tells_the_products_own_events_and_not_the_frameworks_chatter()
    {
        await using var host = await TestHost.Sqlite()
            .With(settings => settings["Logging:LogLevel:Default"] = "Information")
            .Configure(builder => builder.Logging.AddFakeLogging())
            .StartAsync();
        var logs = host.Services.GetRequiredService<FakeLogCollector>();
        var catalog = host.Grains.GetGrain<IAppCatalogGrain>(IAppCatalogGrain.DefaultKey);
        for (var i = 0; i < 20; i++)
        {
            await catalog.SubmitRequestAsync(new AppRequestSubmission($"Chatter {i}", null, null, $"u{i}@example.com"));
            await host.Grains.GetGrain<IAppCatalogReaderGrain>(i).ListAppsAsync(new AppQuery { Text = "mail" });
        }

        var chatter = logs.GetSnapshot()
            .Where(r => r.Level < LogLevel.Warning && !r.Category!.StartsWith("Accounts.Orleans.", StringComparison.Ordinal)
                && r.Category is not ("Microsoft.Hosting.Lifetime" or "Orleans.Runtime.Silo"))
            .Select(r => $"{r.Category}: {r.Message}")
            .ToArray();

        Assert.Contains(logs.GetSnapshot(), r => r.Level == LogLevel.Information && r.Category == "Accounts.Orleans.Catalog.AppCatalogGrain");
        Assert.Empty(chatter);
    }
}

using Accounts.Orleans.Client;
// How long the admin console's accounts screen waits for its first page, with a large account index:
//   dotnet run -c Release --project bench/Accounts.Index [-- --accounts 100000 --runs 50 --profile sqlite|postgres|both --hold]
// For each storage profile: starts a real Host in this process (its migrations create the schema), writes the index
// rows straight into the database in one transaction, then asks IAccountDirectoryGrain for the first 200 accounts
// through an Orleans client, as the console does, once per filter the screen offers, and checks every page against
// the seeded data. --hold keeps each database until Enter, to look at query plans with sqlite3 or psql.
using System.Diagnostics;
using System.Globalization;
using Accounts.Orleans.Connections.Index;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Index.Bench;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Accounts.Orleans.Tui.Screens;
using Accounts.Orleans.Tui.Shell;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

var accountCount = Option("--accounts", 100_000);
var runs = Option("--runs", 50);
const int warmUp = 20;
const int deepPage = 100;
var profileArgument = Array.IndexOf(args, "--profile") is var p and >= 0 && p + 1 < args.Length ? args[p + 1] : "both";
string[] profiles = profileArgument switch
{
    "both" => ["sqlite", "postgres"],
    "sqlite" or "postgres" => [profileArgument],
    _ => [],
};
if (profiles.Length == 0)
{
    await Console.Error.WriteLineAsync($"--profile is '{profileArgument}'; expected sqlite, postgres or both.");
    return 2;
}
var hold = args.Contains("--hold");
IReadOnlyList<SeededAccount>? accounts = null;

foreach (var profile in profiles)
{
    await using var storage = await BenchStorage.StartAsync(profile);
    var gatewayPort = FreePorts.Next();
    storage.Settings["Accounts:Cluster:GatewayPort"] = gatewayPort.ToString(CultureInfo.InvariantCulture);
    // The seeded accounts have no grain state: keep the refresh sweeper from activating them mid-measurement.
    storage.Settings["Accounts:Connections:SweepInterval"] = "1.00:00:00";
    storage.Settings["Logging:LogLevel:Orleans.Runtime.Silo"] = "Warning";
    var app = RunningHost.Build(storage.Settings);
    await using var _ = app;
    await AccountsHost.StartAsync(app);

    var clientBuilder = Host.CreateApplicationBuilder();
    clientBuilder.Logging.SetMinimumLevel(LogLevel.Warning);
    clientBuilder.UseOrleansClient(c => c.UseLocalhostClustering(gatewayPort, "accounts", storage.Settings.GetValueOrDefault("Accounts:Cluster:ClusterId") ?? "accounts")
        .UseClusterTls(app.Services.ClientTls()).UseApiKey(app.Services.AdminKey()));
    using var clientHost = clientBuilder.Build();
    await clientHost.StartAsync();
    var grains = clientHost.Services.GetRequiredService<IClusterClient>();

    if (accounts is null)
    {
        var catalog = await grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Limit = AppQuery.MaxLimit });
        accounts = SyntheticAccounts.Generate(accountCount, workspaceCount: 50, appCount: 300, catalog.Items, TimeProvider.System.GetUtcNow());
    }
    var seeded = accounts;
    var seeding = Stopwatch.StartNew();
    await IndexSeeder.SeedAsync(app.Services.GetRequiredService<AccountsDatabase>(), seeded, CancellationToken.None);
    Console.WriteLine();
    Console.WriteLine($"{profile}: {seeded.Count:N0} index rows ({seeded.Count(a => !a.Deleted):N0} live, {seeded.Sum(a => a.Summary.LinkedSteps.Count):N0} links) seeded in {seeding.Elapsed.TotalSeconds:F1} s");
    Console.WriteLine($"first page (Limit {FirstPage.ScreenPageSize}) through an Orleans client, {runs} runs each after {warmUp} warm-up calls of every query, sequential;");
    Console.WriteLine("the last column reads the index in the silo, without the grain call, for comparison:");
    Console.WriteLine($"  {"query",-44} {"matching",9} {"page",5} {"p50 ms",8} {"p95 ms",8} {"max ms",8} {"in silo p50",12}");

    var directory = grains.GetGrain<IAccountDirectoryGrain>(0);
    var index = app.Services.GetRequiredService<AccountIndex>();
    var pages = FirstPage.ScreenQueries(seeded).ToList();

    // Page 100 of the unfiltered list: the cursor of page 99, reached by paging as a person (or a script) would.
    var all = pages[0];
    string? cursor = null;
    for (var i = 1; i < deepPage; i++) cursor = (await directory.ListAsync(all.Query with { Cursor = cursor })).Next;
    var skipped = (deepPage - 1) * FirstPage.ScreenPageSize;
    pages.Add(all with
    {
        Name = $"page {deepPage} (cursor after {skipped:N0} rows)",
        Query = all.Query with { Cursor = cursor },
        After = seeded.Where(a => !a.Deleted).Select(a => a.Summary.Id).Order(StringComparer.Ordinal).ElementAt(skipped - 1),
    });

    // Every page must hold exactly the seeded accounts it should; then all of them warm up (JIT, pools, the
    // database's cache) before any is timed, so the first one measured is not the one that paid for it.
    foreach (var page in pages)
    {
        var answer = await directory.ListAsync(page.Query);
        var expected = page.Expected(seeded);
        if (!answer.Items.Select(a => a.Id).SequenceEqual(expected))
            throw new InvalidOperationException($"{profile} '{page.Name}': the page holds {answer.Items.Count} accounts, not the {expected.Count} seeded ones in id order.");
        for (var i = 0; i < warmUp; i++)
        {
            await directory.ListAsync(page.Query);
            await index.ListAsync(page.Query, CancellationToken.None);
        }
    }
    foreach (var page in pages)
    {
        var client = await Timing.MeasureAsync(() => directory.ListAsync(page.Query), runs);
        var inSilo = await Timing.MeasureAsync(() => index.ListAsync(page.Query, CancellationToken.None), runs);
        Console.WriteLine($"  {page.Name,-44} {page.Matching(seeded),9:N0} {page.Expected(seeded).Count,5} {client.P50Milliseconds,8:F1} {client.P95Milliseconds,8:F1} {client.MaxMilliseconds,8:F1} {inSilo.P50Milliseconds,12:F1}");
    }

    // What the operator waits for: the accounts screen's own load (the query, the table of 200 rows, the selected
    // account's details and its audit trail), as the console runs it against this cluster.
    var screen = new AccountsScreen(new ConsoleSession(grains, "console:bench", new NoDialogs()));
    foreach (var (name, search) in new[] { ("accounts screen, first page", ""), ("accounts screen, search \"kestrel\"", "kestrel") })
    {
        screen.SearchText = search;
        for (var i = 0; i < warmUp; i++) await screen.LoadAsync();
        var load = await Timing.MeasureAsync(screen.LoadAsync, runs);
        if (!screen.Status.Contains("200 accounts", StringComparison.Ordinal)) throw new InvalidOperationException($"{name}: the screen says '{screen.Status}'.");
        Console.WriteLine($"  {name,-44} {"",9} {200,5} {load.P50Milliseconds,8:F1} {load.P95Milliseconds,8:F1} {load.MaxMilliseconds,8:F1}");
    }

    if (hold)
    {
        Console.WriteLine($"Holding the {profile} database for inspection: {storage.Location}  (Enter to go on)");
        Console.ReadLine();
    }
    await clientHost.StopAsync();
    await app.StopAsync();
}
return 0;

int Option(string name, int fallback)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
}

/// <summary>The screen's loads open no dialog; one that tried would be a bug in the measurement.</summary>
internal sealed class NoDialogs : IModals
{
    public Task RunAsync(Terminal.Gui.Views.Dialog dialog) => throw new InvalidOperationException("No dialog expected.");

    public Task<int?> ChooseAsync(string title, string message, params string[] answers) => throw new InvalidOperationException("No question expected.");

    public Task TellAsync(string title, string message) => throw new InvalidOperationException($"No message expected: {message}");
}

using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Access;
using Accounts.Orleans.Contracts.Accounts;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Hosting;

/// <summary>
/// Operator commands that run against a live cluster as an Orleans client, with the same settings as a silo and the
/// operator's API key (embedded: the console's): <c>vault rewrap</c> (re-wrap every account under the active master
/// key after a rotation), <c>accounts rebuild-index</c>, and <c>apikeys create | list | revoke</c>.
/// </summary>
public static class ClusterCommands
{
    private const string ApiKeysUsage = "usage: apikeys create --name NAME (--workspace WS | --all-workspaces) --scope S [--scope S…] | apikeys list | apikeys revoke NAME";

    public static bool IsClusterCommand(string[] args)
        => args is ["vault", "rewrap", ..] or ["accounts", "rebuild-index", ..] or ["apikeys", ..];

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // Settings are the arguments that name a configuration key (--Accounts:…, --ConnectionStrings:…); the rest is the command's.
        var (command, settings) = Split(args);
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = settings, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // The command's output is its answer; the client host's start and stop lines would only bury it.
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        var name = string.Join(' ', command.Take(2));
        try
        {
            var work = Parse(command);
            var cluster = ClusterSettings.Read(builder.Configuration);
            builder.UseOrleansClient(client =>
            {
                client.UseAccountsCluster(cluster);
                // Re-wrapping a large store takes a while.
                client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromHours(1));
            });
            using var host = builder.Build();
            await host.StartAsync();
            var code = await work(host.Services.GetRequiredService<IClusterClient>(), output);
            await host.StopAsync();
            return code;
        }
        catch (ArgumentException e)
        {
            await error.WriteLineAsync(e.Message);
            return 2;
        }
        catch (Exception e) when (e is ClusterSettingsException or OrleansException or TimeoutException or System.Net.Sockets.SocketException
                                      or UnauthenticatedException or PermissionDeniedException or AccountValidationException)
        {
            await error.WriteLineAsync($"accounts-orleans: {name} failed: {e.Message}");
            return 1;
        }
    }

    /// <exception cref="ArgumentException">The command or its options are malformed; the message is the usage.</exception>
    private static Func<IClusterClient, TextWriter, Task<int>> Parse(string[] command)
    {
        string? Option(string option) => command.SkipWhile(a => a != option).Skip(1).FirstOrDefault();
        switch (command)
        {
            case ["vault", "rewrap"]:
                return (grains, output) => MaintainAsync(grains, output, "vault rewrap", m => m.RewrapAllAsync($"cli:{Environment.UserName}"));
            case ["accounts", "rebuild-index"]:
                return (grains, output) => MaintainAsync(grains, output, "accounts rebuild-index", m => m.RebuildIndexAsync($"cli:{Environment.UserName}"));
            case ["apikeys", "list"]:
                return async (grains, output) =>
                {
                    foreach (var key in await grains.GetGrain<IApiKeyRegistryGrain>(0).ListAsync())
                        await output.WriteLineAsync($"{key.Name}\t{key.Prefix}\t{key.WorkspaceId ?? "(all workspaces)"}\t{string.Join(',', key.Scopes)}\tcreated {key.CreatedAt:yyyy-MM-dd HH:mm} by {key.CreatedBy}{(key.RevokedAt is { } revoked ? $"\trevoked {revoked:yyyy-MM-dd HH:mm}" : "")}");
                    return 0;
                };
            case ["apikeys", "revoke", var revoked]:
                return async (grains, output) =>
                {
                    if (!await grains.GetGrain<IApiKeyRegistryGrain>(0).RevokeAsync(revoked))
                    {
                        await output.WriteLineAsync($"no live key is named '{revoked}'");
                        return 1;
                    }
                    await output.WriteLineAsync($"revoked '{revoked}'; every silo refuses it within seconds");
                    return 0;
                };
            case ["apikeys", "create", ..] when Option("--name") is { } keyName:
                var workspace = Option("--workspace");
                var all = command.Contains("--all-workspaces");
                if ((workspace is null) == !all) throw new ArgumentException("apikeys create: give exactly one of --workspace WS and --all-workspaces.\n" + ApiKeysUsage);
                var scopes = command.Select((a, i) => (a, i)).Where(p => p.a == "--scope" && p.i + 1 < command.Length)
                    .SelectMany(p => command[p.i + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToArray();
                if (scopes.Length == 0) throw new ArgumentException($"apikeys create: give at least one --scope ({string.Join(", ", Scopes.All)}).\n" + ApiKeysUsage);
                return async (grains, output) =>
                {
                    var created = await grains.GetGrain<IApiKeyRegistryGrain>(0).CreateAsync(new ApiKeyRequest { Name = keyName, WorkspaceId = workspace, Scopes = scopes });
                    await output.WriteLineAsync(created.Key);
                    await output.WriteLineAsync($"created '{created.View.Name}' for {created.View.WorkspaceId ?? "all workspaces"} ({string.Join(", ", created.View.Scopes)}); the key above is shown this once and stored only as a hash");
                    return 0;
                };
            default:
                throw new ArgumentException(command is ["apikeys", ..] ? ApiKeysUsage : "usage: vault rewrap | accounts rebuild-index | apikeys …");
        }
    }

    private static async Task<int> MaintainAsync(IClusterClient grains, TextWriter output, string name, Func<IAccountMaintenanceGrain, Task<MaintenanceReport>> run)
    {
        var report = await run(grains.GetGrain<IAccountMaintenanceGrain>(0));
        await output.WriteLineAsync($"{name}: {report.Done} done, {report.Skipped} skipped, {report.Failed.Count} failed{(report.Failed.Count > 0 ? ": " + string.Join(", ", report.Failed) : "")}");
        return report.Failed.Count == 0 ? 0 : 1;
    }

    private static (string[] Command, string[] Settings) Split(string[] args)
    {
        List<string> command = [], settings = [];
        for (var i = 0; i < args.Length; i++)
        {
            var setting = args[i].StartsWith("--", StringComparison.Ordinal) && args[i].Contains(':', StringComparison.Ordinal);
            if (!setting)
            {
                command.Add(args[i]);
                continue;
            }
            settings.Add(args[i]);
            if (!args[i].Contains('=', StringComparison.Ordinal) && i + 1 < args.Length) settings.Add(args[++i]);
        }
        return ([.. command], [.. settings]);
    }
}

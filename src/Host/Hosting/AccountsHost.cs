using System.Data.Common;
using Accounts.Orleans.Access;
using Accounts.Orleans.Catalog;
using Accounts.Orleans.Connections;
using Accounts.Orleans.Host.Api;
using Accounts.Orleans.Host.Cluster;
using Accounts.Orleans.Host.Storage;
using Accounts.Orleans.Host.Telemetry;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Vault;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Host.Hosting;

/// <summary>The Host as a list of modules; tests build the very same application with their own settings.</summary>
public static partial class AccountsHost
{
    public const string DefaultUrl = "http://localhost:5080";

    /// <exception cref="StartupException">A setting is missing or malformed.</exception>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings.json sits beside the binary; the working directory is where the operator keeps data.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        if (string.IsNullOrWhiteSpace(builder.Configuration[WebHostDefaults.ServerUrlsKey])) builder.WebHost.UseUrls(DefaultUrl);

        var storage = builder.AddAccountsStorage();
        // Embedded, the ring sits beside the data; on a shared database every silo must be given the same file.
        builder.Services.AddVault(builder.Configuration, storage.DataDirectory is { } data ? Path.Combine(data, VaultOptions.DefaultFileName) : null);
        builder.Services.AddAccess();
        builder.AddAccountsSilo(storage);
        builder.AddAccountsTelemetry();
        builder.Services.AddAppCatalog(builder.Configuration);
        builder.Services.AddConnections(builder.Configuration, DefaultRedirectUri(builder.Configuration[WebHostDefaults.ServerUrlsKey]));
        builder.AddAccountsApi();
        builder.Services.AddSingleton<HostStartup>();
        builder.Services.AddHealthChecks().AddCheck<HostStartup>("startup");

        var app = builder.Build();
        app.MapAccountsApi();
        return app;
    }

    /// <summary>Migrates the schema, then starts the silo and the web server.</summary>
    /// <exception cref="StartupException">Storage is unreachable or a setting is invalid; the message is one line.</exception>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken = default)
    {
        var storage = app.Services.GetRequiredService<StorageOptions>();
        try
        {
            await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbException or System.Net.Sockets.SocketException or TimeoutException or InvalidOperationException)
        {
            throw new StartupException($"Cannot use {storage.Engine} storage at {storage.Describe()}: {Summarize(e)}", e);
        }
        try
        {
            await app.Services.LoadKeyRingAsync(cancellationToken);
            await app.StartAsync(cancellationToken);
            if (AdminKeyPath(app.Configuration, storage) is { } adminKey)
                await AdminKeyFile.EnsureAsync(app.Services.GetRequiredService<IGrainFactory>(), adminKey, cancellationToken);
            app.Services.GetRequiredService<HostStartup>().Finish();
        }
        catch (OptionsValidationException e)
        {
            throw new StartupException(string.Join(" ", e.Failures), e);
        }
        catch (VaultStartupException e)
        {
            throw new StartupException(e.Message, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{AdminKeyFile.Setting}: cannot write the first admin key: {e.Message}", e);
        }
        LogReady(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Accounts.Orleans.Host"), string.Join(", ", app.Urls), storage.Engine, storage.Describe());
    }

    /// <summary>Where the first admin key goes: beside the data when embedded; on a cluster only where configured.</summary>
    private static string? AdminKeyPath(IConfiguration configuration, StorageOptions storage)
        => configuration[AdminKeyFile.Setting] is { Length: > 0 } configured ? Path.GetFullPath(configured)
            : storage.DataDirectory is { } data ? Path.Combine(data, AdminKeyFile.EmbeddedFileName) : null;

    /// <summary>Runs until Ctrl+C or SIGTERM; a startup problem becomes one line on stderr and exit code 1.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        if (ClusterCommands.IsClusterCommand(args)) return await ClusterCommands.RunAsync(args, Console.Out, Console.Error);
        if (VaultCommands.IsVaultCommand(args)) return VaultCommands.Run(args, Console.Out, Console.Error);
        if (CertificateCommands.IsCertificateCommand(args)) return CertificateCommands.Run(args, Console.Out, Console.Error, TimeProvider.System);
        try
        {
            await using var app = Build(args);
            await StartAsync(app);
            await app.WaitForShutdownAsync();
            return 0;
        }
        catch (StartupException e)
        {
            await Console.Error.WriteLineAsync($"accounts-orleans: cannot start: {e.Message}");
            return 1;
        }
    }

    /// <summary>The callback on this Host's first URL; a wildcard host becomes localhost (set Accounts:Connections:RedirectUri behind a proxy).</summary>
    private static string DefaultRedirectUri(string? urls)
    {
        var first = (urls ?? DefaultUrl).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? DefaultUrl;
        var normalized = first.Replace("://*", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal)
            .Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).TrimEnd('/');
        return normalized + Api.OAuthCallbackEndpoint.Path;
    }

    private static string Summarize(Exception e)
    {
        // Driver messages name hosts and ports, not passwords; the innermost one is usually the useful one.
        var message = e.GetBaseException().Message;
        return message.Length <= 300 ? message : message[..300] + "…";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Accounts.Orleans is serving {Urls} with {Engine} storage at {Location}")]
    private static partial void LogReady(ILogger logger, string urls, StorageEngine engine, string location);
}

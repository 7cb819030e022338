namespace Accounts.Orleans.Access;

/// <summary>
/// The first admin key, so the console has something to act as: created when the file it belongs in does not exist
/// (embedded: <c>console.apikey</c> beside the data; a cluster: <c>Accounts:Access:AdminKeyFile</c> when given) and
/// written there readable by its owner alone, like the key ring. The file is the only copy of the key.
/// </summary>
public static class AdminKeyFile
{
    public const string Setting = "Accounts:Access:AdminKeyFile";
    public const string EmbeddedFileName = "console.apikey";

    /// <exception cref="IOException">The file cannot be written.</exception>
    public static async Task EnsureAsync(IGrainFactory grains, string path, CancellationToken cancellationToken)
    {
        if (File.Exists(path)) return;
        var registry = grains.GetGrain<IApiKeyRegistryGrain>(0);
        var (name, created) = await CreateAsync(registry);
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            await using var stream = new FileStream(path, options);
            await using var writer = new StreamWriter(stream);
            await writer.WriteLineAsync(created.Key.AsMemory(), cancellationToken);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another silo of the cluster wrote its key first; this one must not stay valid unseen.
            await registry.RevokeAsync(name);
        }
    }

    /// <summary>A new admin key under the first free name of console, console-2, …; silos starting together may race for a name.</summary>
    private static async Task<(string Name, ApiKeyCreated Created)> CreateAsync(IApiKeyRegistryGrain registry)
    {
        for (var attempt = 1; ; attempt++)
        {
            var taken = (await registry.ListAsync()).Where(k => k.RevokedAt is null).Select(k => k.Name).ToHashSet(StringComparer.Ordinal);
            var name = Enumerable.Range(1, 1000).Select(n => n == 1 ? "console" : $"console-{n}").First(n => !taken.Contains(n));
            try
            {
                return (name, await registry.CreateAsync(new ApiKeyRequest { Name = name, Scopes = [Scopes.Admin] }));
            }
            catch (Contracts.Accounts.AccountValidationException e) when (attempt < 5 && e.Errors.ContainsKey("name"))
            {
                // Another silo took the name between our list and our create.
            }
        }
    }
}

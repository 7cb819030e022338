using Accounts.Orleans.Contracts.Catalog;
using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Catalog.Apps;

/// <summary>The apps that come with the deployment: the seed inside this assembly and the operator's override file.</summary>
public sealed class ShippedCatalog(IOptions<CatalogOptions> options)
{
    private const string SeedResource = "Accounts.Orleans.Catalog.Seed.apps.json";

    private readonly Lazy<IReadOnlyList<AppDefinition>> _overrides = new(() =>
        string.IsNullOrWhiteSpace(options.Value.OverrideFile) ? [] : ReadOverrideFile(options.Value.OverrideFile, options.Value.AllowLoopbackHttp));

    private static readonly Lazy<IReadOnlyList<AppDefinition>> SeedApps = new(ReadSeed);

#pragma warning disable CA1822 // An instance member, so callers depend on the injected service rather than on where the seed lives.
    public IReadOnlyList<AppDefinition> Seed => SeedApps.Value;
#pragma warning restore CA1822

    public IReadOnlyList<AppDefinition> OperatorFile => _overrides.Value;

    public static IReadOnlyList<AppDefinition> ReadSeed()
    {
        using var stream = typeof(ShippedCatalog).Assembly.GetManifestResourceStream(SeedResource)
            ?? throw new InvalidOperationException($"The seed catalog resource '{SeedResource}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return CatalogFile.Parse(reader.ReadToEnd(), "seed catalog");
    }

    public static IReadOnlyList<AppDefinition> ReadOverrideFile(string path, bool allowLoopbackHttp)
        => CatalogFile.Parse(File.ReadAllText(path), Path.GetFullPath(path), allowLoopbackHttp);
}

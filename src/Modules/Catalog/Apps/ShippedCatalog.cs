namespace Accounts.Orleans.Catalog.Apps;

/// <summary>The apps that come with the deployment: the seed inside this assembly and the operator's override file.</summary>
public sealed class ShippedCatalog(IOptions<CatalogOptions> options)
{
    /// <summary>Seed files are embedded as <c>seed/&lt;group&gt;.json</c>, one per group of categories.</summary>
    private const string SeedPrefix = "seed/";

    private readonly Lazy<IReadOnlyList<AppDefinition>> _overrides = new(() =>
        string.IsNullOrWhiteSpace(options.Value.OverrideFile) ? [] : ReadOverrideFile(options.Value.OverrideFile, options.Value.AllowLoopbackHttp));

    private static readonly Lazy<IReadOnlyList<AppDefinition>> SeedApps = new(ReadSeed);

#pragma warning disable CA1822 // An instance member, so callers depend on the injected service rather than on where the seed lives.
    public IReadOnlyList<AppDefinition> Seed => SeedApps.Value;
#pragma warning restore CA1822

    public IReadOnlyList<AppDefinition> OperatorFile => _overrides.Value;

    /// <exception cref="CatalogFileException">A seed file is invalid, or two files define the same slug or alias.</exception>
    public static IReadOnlyList<AppDefinition> ReadSeed()
    {
        var assembly = typeof(ShippedCatalog).Assembly;
        var apps = new List<AppDefinition>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(SeedPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            apps.AddRange(CatalogFile.Parse(reader.ReadToEnd(), $"seed catalog {resource[SeedPrefix.Length..]}"));
        }
        if (apps.Count == 0) throw new CatalogFileException("The seed catalog is missing from the build.");
        var clashes = CatalogComposition.FindNameClashes(apps).Take(20).ToList();
        if (clashes.Count > 0) throw new CatalogFileException($"seed catalog: {string.Join("; ", clashes)}");
        return apps;
    }

    public static IReadOnlyList<AppDefinition> ReadOverrideFile(string path, bool allowLoopbackHttp)
        => CatalogFile.Parse(File.ReadAllText(path), Path.GetFullPath(path), allowLoopbackHttp);
}

using Accounts.Orleans.Catalog.Apps;

namespace Accounts.Orleans.Catalog;

/// <summary><c>Accounts:Catalog</c> configuration.</summary>
public sealed class CatalogOptions
{
    public const string Section = "Accounts:Catalog";

    /// <summary>A catalog file whose apps add to or replace the shipped ones, by slug.</summary>
    public string? OverrideFile { get; set; }

    /// <summary>How stale a silo's cached catalog may get before it asks the catalog grain again.</summary>
    public TimeSpan ReaderRefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many apps one requester may ask for or vote for; bounds what one person can make the service store.</summary>
    public int MaxAppRequestsPerRequester { get; set; } = 50;

    /// <summary>How many app requests the catalog keeps; past it only votes for existing requests are taken.</summary>
    public int MaxAppRequests { get; set; } = 10_000;

    /// <summary>Allows plain-http loopback endpoints in app definitions; for tests against local servers only.</summary>
    public bool AllowLoopbackHttp { get; set; }
}

internal sealed class CatalogOptionsValidator : IValidateOptions<CatalogOptions>
{
    public ValidateOptionsResult Validate(string? name, CatalogOptions options)
    {
        if (options.ReaderRefreshInterval <= TimeSpan.Zero || options.ReaderRefreshInterval > TimeSpan.FromMinutes(10))
            return ValidateOptionsResult.Fail($"{CatalogOptions.Section}:ReaderRefreshInterval must be between 00:00:00.001 and 00:10:00.");
        if (options.MaxAppRequestsPerRequester is < 1 or > 100_000)
            return ValidateOptionsResult.Fail($"{CatalogOptions.Section}:MaxAppRequestsPerRequester must be between 1 and 100000 (it is {options.MaxAppRequestsPerRequester}).");
        if (options.MaxAppRequests is < 1 or > 10_000_000)
            return ValidateOptionsResult.Fail($"{CatalogOptions.Section}:MaxAppRequests must be between 1 and 10000000 (it is {options.MaxAppRequests}).");
        try
        {
            // A broken seed is a broken build; better to refuse to start than to answer every catalog read with a 500.
            _ = ShippedCatalog.ReadSeed();
        }
        catch (CatalogFileException e)
        {
            return ValidateOptionsResult.Fail(e.Message);
        }
        if (string.IsNullOrWhiteSpace(options.OverrideFile)) return ValidateOptionsResult.Success;
        try
        {
            _ = ShippedCatalog.ReadOverrideFile(options.OverrideFile, options.AllowLoopbackHttp);
            return ValidateOptionsResult.Success;
        }
        catch (Exception e) when (e is CatalogFileException or IOException or UnauthorizedAccessException)
        {
            return ValidateOptionsResult.Fail($"{CatalogOptions.Section}:OverrideFile: {e.Message}");
        }
    }
}

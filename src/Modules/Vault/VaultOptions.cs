using Microsoft.Extensions.Options;

namespace Accounts.Orleans.Vault;

/// <summary><c>Accounts:Vault</c>: where the master key ring lives (a file, always outside the database).</summary>
public sealed class VaultOptions
{
    public const string Section = "Accounts:Vault";
    public const string KeyRingFileKey = Section + ":KeyRingFile";
    public const string DefaultFileName = "master-keys.json";

    /// <summary>The ring's path; relative paths are taken from the working directory.</summary>
    public string? KeyRingFile { get; set; }
}

internal sealed class VaultOptionsValidator : IValidateOptions<VaultOptions>
{
    public ValidateOptionsResult Validate(string? name, VaultOptions options)
        => string.IsNullOrWhiteSpace(options.KeyRingFile)
            ? ValidateOptionsResult.Fail($"{VaultOptions.KeyRingFileKey} is required here: every silo must open credentials with the same master key ring (a file on a shared secret mount).")
            : ValidateOptionsResult.Success;
}

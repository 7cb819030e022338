using Accounts.Orleans.Contracts.Access;
using Microsoft.Extensions.Configuration;

namespace Accounts.Orleans.Client;

/// <summary>
/// The API key a client presents on every call: given as <c>Accounts:Cluster:ApiKey</c>, or read from
/// <c>Accounts:Cluster:ApiKeyFile</c>; embedded, the console's key the Host wrote beside its data.
/// </summary>
public sealed record ClusterApiKey(string? Value, string? File)
{
    public const string ValueKey = "Accounts:Cluster:ApiKey";
    public const string FileKey = "Accounts:Cluster:ApiKeyFile";

    /// <exception cref="ClusterSettingsException">The file is missing or holds no key; the message names the setting.</exception>
    public string Load()
    {
        if (Value is not null) return Value;
        string text;
        try
        {
            text = System.IO.File.ReadAllText(File!).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ClusterSettingsException($"{FileKey}: cannot read '{File}' ({(e is FileNotFoundException or DirectoryNotFoundException ? "no such file; an embedded Host writes it on its first start" : e.Message)}).");
        }
        return text.StartsWith(ApiKeyContext.Prefix, StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal)
            ? text
            : throw new ClusterSettingsException($"{FileKey}: '{File}' does not hold an API key of this service.");
    }

    internal static ClusterApiKey Read(IConfiguration configuration, bool shared)
    {
        if (configuration[ValueKey] is { Length: > 0 } value) return new(value.Trim(), null);
        if (configuration[FileKey] is { Length: > 0 } file) return new(null, Path.GetFullPath(file));
        if (shared) throw new ClusterSettingsException($"{ValueKey} or {FileKey} is required to call a PostgreSQL cluster: create a key with 'apikeys create'.");
        var data = configuration["Accounts:Storage:DataDirectory"] is { Length: > 0 } configured ? configured : ".data";
        return new(null, Path.Combine(Path.GetFullPath(data), "console.apikey"));
    }
}

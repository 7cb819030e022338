using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Host.Storage;

/// <summary>Reads the storage profile from configuration, once, before anything starts.</summary>
public static class StorageSettings
{
    public const string ProviderKey = "Accounts:Storage:Provider";
    public const string DataDirectoryKey = "Accounts:Storage:DataDirectory";
    public const string ConnectionStringKey = "ConnectionStrings:Accounts";
    public const string DatabaseFileName = "accounts.db";

    /// <exception cref="StartupException">A setting is missing or malformed; the message names its key.</exception>
    public static StorageOptions Read(IConfiguration configuration, string workingDirectory)
    {
        var provider = configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            return ForSqlite(configuration[DataDirectoryKey], workingDirectory);
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            return ForPostgres(configuration[ConnectionStringKey]);
        throw new StartupException($"{ProviderKey} is '{provider}'; expected Sqlite or Postgres.");
    }

    private static StorageOptions ForSqlite(string? dataDirectory, string workingDirectory)
    {
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? ".data" : dataDirectory, workingDirectory);
        try
        {
            Directory.CreateDirectory(directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new StartupException($"{DataDirectoryKey}: cannot create '{directory}': {e.Message}");
        }
        var connection = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(directory, DatabaseFileName),
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            // Waits on a busy database instead of failing at once (also SQLite's busy timeout).
            DefaultTimeout = 30,
        };
        return new StorageOptions(StorageEngine.Sqlite, connection.ToString(), directory);
    }

    private static StorageOptions ForPostgres(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new StartupException($"{ConnectionStringKey} is required when {ProviderKey} is Postgres (e.g. Host=localhost;Database=accounts;Username=accounts;Password=…).");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new ArgumentException("it names no Host");
            return new StorageOptions(StorageEngine.Postgres, builder.ConnectionString, null);
        }
        catch (ArgumentException e)
        {
            // Never echo the connection string: it carries the password.
            throw new StartupException($"{ConnectionStringKey} is not a valid PostgreSQL connection string: {e.Message}");
        }
    }
}

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
    public const string MaxPoolSizeKey = "Accounts:Storage:MaxPoolSize";
    public const int DefaultMaxPoolSize = 20;
    public const string DatabaseFileName = "accounts.db";

    /// <exception cref="StartupException">A setting is missing or malformed; the message names its key.</exception>
    public static StorageOptions Read(IConfiguration configuration, string workingDirectory)
    {
        var provider = configuration[ProviderKey];
        if (string.IsNullOrWhiteSpace(provider) || provider.Equals("Sqlite", StringComparison.OrdinalIgnoreCase))
            return ForSqlite(configuration[DataDirectoryKey], workingDirectory);
        if (provider.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || provider.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase))
            return ForPostgres(configuration[ConnectionStringKey], configuration[MaxPoolSizeKey]);
        throw new StartupException($"{ProviderKey} is '{provider}'; expected Sqlite or Postgres.");
    }

    private static StorageOptions ForSqlite(string? dataDirectory, string workingDirectory)
    {
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(dataDirectory) ? ".data" : dataDirectory, workingDirectory);
        try
        {
            // The folder holds the database, the key ring and the cluster's private keys: its owner's alone (0700), and
            // the database file too (0600; SQLite gives its journal files the database's mode).
            Cluster.PrivateFiles.CreateDirectory(directory);
            var database = Path.Combine(directory, DatabaseFileName);
            if (!File.Exists(database))
            {
                try
                {
                    Cluster.PrivateFiles.WriteNew(database, "");
                }
                catch (IOException) when (File.Exists(database))
                {
                    // Another process of this data folder created it first.
                }
            }
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
            // Waits on a busy database instead of failing at once (also SQLite's busy timeout), but gives up well within
            // a grain call's 30 s, so a locked file reaches callers as a typed storage error rather than a call timeout.
            DefaultTimeout = 5,
        };
        return new StorageOptions(StorageEngine.Sqlite, connection.ToString(), directory);
    }

    private static StorageOptions ForPostgres(string? connectionString, string? maxPoolSize)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
            throw new StartupException($"{ConnectionStringKey} is required when {ProviderKey} is Postgres (e.g. Host=localhost;Database=accounts;Username=accounts;Password=…).");
        var poolSize = DefaultMaxPoolSize;
        if (!string.IsNullOrWhiteSpace(maxPoolSize)
            && (!int.TryParse(maxPoolSize, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out poolSize) || poolSize is < 1 or > 1000))
            throw new StartupException($"{MaxPoolSizeKey} is '{maxPoolSize}'; expected a whole number of connections from 1 to 1000.");
        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrWhiteSpace(builder.Host)) throw new ArgumentException("it names no Host");
            // Every silo opens at most this many connections (its one pool, shared by Orleans and the service's own
            // queries), so a few silos stay well inside a default server's 100.
            builder.MaxPoolSize = poolSize;
            builder.MinPoolSize = Math.Min(builder.MinPoolSize, poolSize);
            return new StorageOptions(StorageEngine.Postgres, builder.ConnectionString, null);
        }
        catch (ArgumentException e)
        {
            // Never echo the connection string: it carries the password.
            throw new StartupException($"{ConnectionStringKey} is not a valid PostgreSQL connection string: {e.Message}");
        }
    }
}

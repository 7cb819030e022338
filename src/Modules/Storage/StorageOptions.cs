using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Storage;

public enum StorageEngine
{
    /// <summary>One silo, one SQLite file: the embedded default.</summary>
    Sqlite,
    /// <summary>A shared PostgreSQL: membership and grain state for a multi-silo cluster.</summary>
    Postgres,
}

/// <summary>The storage profile the Host chose: which engine, how to connect, and (SQLite) where the data lives.</summary>
public sealed record StorageOptions(StorageEngine Engine, string ConnectionString, string? DataDirectory)
{
    /// <summary>The ADO.NET invariant Orleans' providers expect; for SQLite it maps to Microsoft.Data.Sqlite.</summary>
    public string Invariant => Engine == StorageEngine.Postgres ? "Npgsql" : "System.Data.SQLite";

    /// <summary>Where the database is, for messages; never the password.</summary>
    public string Describe() => Engine == StorageEngine.Sqlite
        ? new SqliteConnectionStringBuilder(ConnectionString).DataSource
        : new NpgsqlConnectionStringBuilder(ConnectionString) is var b ? $"{b.Host}:{b.Port}/{b.Database}" : "";
}

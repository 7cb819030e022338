using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Storage;

/// <summary>
/// Tells a storage failure from everything else, and describes it for the log without a connection string. Both
/// drivers report every failure, network and timeouts included, as a <see cref="DbException"/>.
/// </summary>
public sealed class StorageFaults
{
    private StorageFaults()
    {
    }

    /// <summary>The driver exception at the root of <paramref name="exception"/>, or null when storage is not the cause.</summary>
    public static DbException? FindCause(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is DbException cause) return cause;
        }
        return null;
    }

    /// <summary>
    /// True when the database could not serve the call (down, restarting, out of connections, locked, read-only, out of
    /// space); false for a failure that retrying will not fix, which is a bug in this service's SQL.
    /// </summary>
    public static bool IsOutage(DbException cause) => cause switch
    {
        PostgresException postgres => IsOutageState(postgres.SqlState),
        NpgsqlException npgsql => npgsql.IsTransient || npgsql.InnerException is IOException or System.Net.Sockets.SocketException or TimeoutException,
        SqliteException sqlite => IsOutageCode(sqlite.SqliteErrorCode),
        _ => cause.IsTransient,
    };

    /// <summary>What went wrong, for an operator: the driver's code and message, never its connection string.</summary>
    public static string Describe(DbException cause) => cause switch
    {
        PostgresException postgres => $"PostgreSQL {postgres.SqlState}: {postgres.MessageText}",
        SqliteException sqlite => $"SQLite error {sqlite.SqliteErrorCode}: {sqlite.Message}",
        _ => $"{cause.GetType().Name}: {cause.GetBaseException().Message}",
    };

    // Connection exceptions, insufficient resources (53300 too many clients), operator intervention (a shutdown or
    // restart), system errors, serialization failures and deadlocks, a lock not available, a read-only transaction.
    private static bool IsOutageState(string state)
        => state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("53", StringComparison.Ordinal)
            || state.StartsWith("57", StringComparison.Ordinal) || state.StartsWith("58", StringComparison.Ordinal)
            || state.StartsWith("40", StringComparison.Ordinal) || state is "55P03" or "25006" or "XX001" or "XX002";

    // SQLITE_BUSY, LOCKED, NOMEM, READONLY, INTERRUPT, IOERR, FULL, CANTOPEN, PROTOCOL.
    private static bool IsOutageCode(int code) => (code & 0xFF) is 5 or 6 or 7 or 8 or 9 or 10 or 13 or 14 or 15;
}

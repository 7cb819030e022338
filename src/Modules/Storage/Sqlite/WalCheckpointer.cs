using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Accounts.Orleans.Storage.Sqlite;

/// <summary>
/// Keeps SQLite's write-ahead log small. SQLite copies the log back into the database on its own every 1,000 pages,
/// but it cannot start the log over while a reader holds an older snapshot, and it never gives the file's space back:
/// a backup or a scanner reading the file during heavy writes left hundreds of MB beside the database for good. Once
/// the log has passed <see cref="MaxWalBytes"/>, this copies it into the database and truncates it to nothing as soon
/// as no reader needs it any more.
/// </summary>
public sealed partial class WalCheckpointer(AccountsDatabase database, [FromKeyedServices(ServiceClock.Key)] TimeProvider time, ILogger<WalCheckpointer> logger)
    : PeriodicWork(TimeSpan.FromSeconds(1), time, logger)
{
    public const long MaxWalBytes = 16 * 1024 * 1024;

    private readonly string _wal = new SqliteConnectionStringBuilder(database.Options.ConnectionString).DataSource + "-wal";
    private bool _waitingForReaders;

    protected override string Name => "Checkpointing SQLite's write-ahead log";

    protected override async Task RunAsync(CancellationToken cancellationToken)
    {
        if (File.Exists(_wal) && new FileInfo(_wal).Length > MaxWalBytes) await CheckpointAsync(_wal, cancellationToken);
    }

    /// <summary>True when the log was copied back and truncated; false while a reader still needs part of it.</summary>
    public async Task<bool> CheckpointAsync(string wal, CancellationToken cancellationToken)
    {
        var size = new FileInfo(wal).Length;
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            // A passive pass copies what it can without blocking anyone. Only when nothing is left over does the
            // truncating pass run: it holds writers back while it waits for readers, so it must not wait on a long one.
            var (_, frames, copied) = await PassAsync(connection, "PASSIVE", cancellationToken);
            if (frames < 0 || copied < frames)
            {
                if (!_waitingForReaders) LogWaitingForReaders(Logger, size / 1e6);
                _waitingForReaders = true;
                return false;
            }
            var (busy, _, _) = await PassAsync(connection, "TRUNCATE", cancellationToken);
            if (busy != 0) return false;
            _waitingForReaders = false;
            LogTruncated(Logger, size / 1e6);
            return true;
        }
        catch (SqliteException e)
        {
            // Busy or locked beyond the short timeout: the next tick tries again.
            LogFailed(Logger, e.SqliteErrorCode, e.Message);
            return false;
        }
    }

    private static async Task<(long Busy, long Frames, long Copied)> PassAsync(System.Data.Common.DbConnection connection, string mode, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        command.CommandTimeout = 1;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (Convert.ToInt64(reader.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(reader.GetValue(1), CultureInfo.InvariantCulture),
            Convert.ToInt64(reader.GetValue(2), CultureInfo.InvariantCulture));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Copied SQLite's write-ahead log ({Megabytes:F1} MB) into the database and truncated it")]
    private static partial void LogTruncated(ILogger logger, double megabytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite's write-ahead log has grown to {Megabytes:F1} MB because a reader holds an old snapshot (a backup, or sqlite3 left open?); it is truncated once the reader lets go")]
    private static partial void LogWaitingForReaders(ILogger logger, double megabytes);

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQLite checkpoint did not complete (error {Code}: {Message}); trying again shortly")]
    private static partial void LogFailed(ILogger logger, int code, string message);
}

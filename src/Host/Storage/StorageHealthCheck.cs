using Accounts.Orleans.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Accounts.Orleans.Host.Storage;

/// <summary>Healthy when the database answers a trivial query within a couple of seconds.</summary>
public sealed class StorageHealthCheck(AccountsDatabase database) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        try
        {
            await using var connection = await database.OpenAsync(timeout.Token);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1;";
            await command.ExecuteScalarAsync(timeout.Token);
            return HealthCheckResult.Healthy($"{database.Options.Engine} answers");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or OperationCanceledException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            // The exception type only: messages of database drivers can carry connection details.
            return HealthCheckResult.Unhealthy($"{database.Options.Engine} does not answer ({e.GetType().Name})");
        }
    }
}

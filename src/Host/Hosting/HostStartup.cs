using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Accounts.Orleans.Host.Hosting;

/// <summary>
/// Unhealthy until <see cref="AccountsHost.StartAsync"/> has finished what follows the silo's start (the first admin
/// key), so "healthy" means a console or an operator command can connect at once.
/// </summary>
public sealed class HostStartup : IHealthCheck
{
    private volatile bool _finished;

    public void Finish() => _finished = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        => Task.FromResult(_finished ? HealthCheckResult.Healthy("started") : HealthCheckResult.Unhealthy("starting"));
}

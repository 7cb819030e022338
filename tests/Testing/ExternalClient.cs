using System.Net;
using Accounts.Orleans.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Accounts.Orleans.Testing;

/// <summary>
/// An Orleans client in the test process that reaches a Host through its gateway, as a workflow engine or the console
/// does: every answer and every error crosses the wire and is deserialized on this side.
/// </summary>
public sealed class ExternalClient : IAsyncDisposable
{
    private readonly IHost _host;

    private ExternalClient(IHost host) => _host = host;

    public IClusterClient Grains => _host.Services.GetRequiredService<IClusterClient>();

    /// <param name="tls">The certificate the client presents; null for none, as an intruder would.</param>
    /// <param name="apiKey">The API key every call presents; null for none.</param>
    public static Task<ExternalClient> ConnectAsync(int gatewayPort, ClusterTls? tls, string? apiKey, string clusterId = "accounts", string serviceId = "accounts", CancellationToken cancellationToken = default)
        => ConnectAsync([gatewayPort], tls, apiKey, clusterId, serviceId, cancellationToken);

    /// <summary>A client that knows several silos' gateways and moves to another when one dies.</summary>
    public static async Task<ExternalClient> ConnectAsync(IReadOnlyList<int> gatewayPorts, ClusterTls? tls, string? apiKey, string clusterId = "accounts", string serviceId = "accounts", CancellationToken cancellationToken = default)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        // As for test Hosts: the shared console is kept for the run's own report.
        builder.Logging.ClearProviders();
        builder.UseOrleansClient(client =>
        {
            client.UseStaticClustering(gatewayPorts.Select(port => new IPEndPoint(IPAddress.Loopback, port)).ToArray());
            if (tls is not null) client.UseClusterTls(tls);
            if (apiKey is not null) client.UseApiKey(apiKey);
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = serviceId;
            });
        });
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new ExternalClient(host);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }
}

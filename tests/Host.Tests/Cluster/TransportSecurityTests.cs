using System.Net;
using System.Net.Security;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using Accounts.Orleans.Client;
using Accounts.Orleans.Contracts.Catalog;
using Accounts.Orleans.Host.Cluster;
using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace Accounts.Orleans.Host.Tests.Cluster;

/// <summary>The cluster's doors as someone on the same network meets them: mutual TLS with the cluster's own CA, or nothing.</summary>
public sealed class TransportSecurityTests
{
    [Fact]
    public async Task Only_a_client_with_a_certificate_of_the_clusters_ca_gets_through_the_gateway()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        using var elsewhere = new TempDirectory();
        ClusterTls stranger;
        using (var other = ClusterAuthority.Create(elsewhere.Path, "other", TimeProvider.System))
            stranger = ClusterTls.Load(other.Issue(ClusterRole.Client, "console", elsewhere.Path, TimeProvider.System), ClusterRole.Client);

        var plain = await Refused(cancellation => host.Host.ConnectClientAsync(null, host.Host.AdminKey, cancellation));
        var foreign = await Refused(cancellation => host.Host.ConnectClientAsync(stranger, host.Host.AdminKey, cancellation));
        await using var console = await host.ConnectClientAsync();
        var apps = await console.Grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Text = "slack" });

        Assert.NotNull(plain);
        Assert.NotNull(foreign);
        Assert.Contains(apps.Items, a => a.Slug == "slack");
    }

    [Fact]
    public async Task The_silo_port_admits_silo_certificates_and_closes_on_a_client_certificate()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var siloPort = host.Services.GetRequiredService<ClusterSettings>().SiloPort;
        var data = host.Storage.DataDirectory!;
        var silo = ClusterTls.Load(ClusterTlsFiles.Embedded(data, ClusterTlsFiles.EmbeddedSilo), ClusterRole.Silo);
        var console = ClusterTls.Load(ClusterTlsFiles.Embedded(data, ClusterTlsFiles.EmbeddedConsole), ClusterRole.Client);

        Assert.True(await StaysOpenAsync(siloPort, silo), "A silo certificate should be let in to the silo port.");
        Assert.False(await StaysOpenAsync(siloPort, console), "A client certificate must not reach the silo port.");
    }

    [Fact]
    public async Task Nothing_a_client_sends_reaches_the_gateway_in_plain_text()
    {
        const string Canary = "canary-7f3e2a91c4";
        var wire = new MemoryStream();
        // Outermost on the gateway's connections, so it sees the bytes as they arrive from the network.
        await using var host = await TestHost.Sqlite().Configure(builder => builder.Services.Configure<SiloConnectionOptions>(o =>
            o.ConfigureGatewayInboundConnection(connection => connection.Use(next => context =>
            {
                context.Transport = new RecordingTransport(context.Transport, wire);
                return next(context);
            })))).StartAsync();
        await using (var client = await host.ConnectClientAsync())
            await client.Grains.GetGrain<IAppCatalogReaderGrain>(0).ListAppsAsync(new AppQuery { Text = Canary });

        byte[] seen;
        lock (wire) seen = wire.ToArray();
        Assert.True(seen.Length > 1000, $"The gateway received {seen.Length} bytes.");
        Assert.Equal(0x16, seen[0]); // a TLS handshake record opens the conversation
        Assert.DoesNotContain(Canary, Encoding.UTF8.GetString(seen), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, Encoding.Unicode.GetString(seen), StringComparison.Ordinal);
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task An_embedded_host_creates_its_ca_and_certificates_once_readable_by_its_owner_alone()
    {
        await using var host = await TestHost.Sqlite().StartAsync();
        var folder = Path.Combine(host.Storage.DataDirectory!, ClusterTlsFiles.EmbeddedFolder);
        var before = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        await host.RestartAsync();
        var after = Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllText);

        Assert.Equal(["ca.crt", "ca.key", "console.crt", "console.key", "silo.crt", "silo.key"], before.Keys.Order());
        Assert.Equal(before, after);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(folder));
        Assert.All(Directory.GetFiles(folder), f => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(f)));
    }

    [Fact]
    public async Task A_postgres_silo_without_its_certificate_files_names_the_missing_key()
    {
        using var data = new TempDirectory();
        var settings = RunningHost.Postgres("Host=127.0.0.1;Port=1;Database=unused;Username=u");
        settings.Remove(ClusterTlsFiles.KeyFileKey);
        var missingKey = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));
        settings.Remove(ClusterTlsFiles.CaFileKey);
        settings.Remove(ClusterTlsFiles.CertificateFileKey);
        var none = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));
        settings[ClusterTlsFiles.CaFileKey] = TestCertificates.Silo.CaFile;
        settings[ClusterTlsFiles.CertificateFileKey] = TestCertificates.Client.CertificateFile;
        settings[ClusterTlsFiles.KeyFileKey] = TestCertificates.Client.KeyFile;
        var clientAsSilo = await Assert.ThrowsAsync<StartupException>(() => RunningHost.StartAsync(settings));

        Assert.Contains(ClusterTlsFiles.KeyFileKey, missingKey.Message, StringComparison.Ordinal);
        Assert.Contains(ClusterTlsFiles.CaFileKey, none.Message, StringComparison.Ordinal);
        Assert.Contains(ClusterTlsFiles.CertificateFileKey, clientAsSilo.Message, StringComparison.Ordinal);
        Assert.Contains("is not a silo certificate", clientAsSilo.Message, StringComparison.Ordinal);
    }

    /// <summary>Whether the silo port keeps a TLS connection made with <paramref name="tls"/> open, waiting for Orleans' preamble.</summary>
    private static async Task<bool> StaysOpenAsync(int port, ClusterTls tls)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port, TestContext.Current.CancellationToken);
        await using var ssl = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) => certificate is not null);
        try
        {
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "silo",
                ClientCertificates = [tls.Certificate],
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            }, TestContext.Current.CancellationToken);
            using var quiet = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            quiet.CancelAfter(TimeSpan.FromSeconds(2));
            // A refused certificate ends the connection (TLS 1.3 tells the client after its handshake); an admitted one
            // is left waiting for the caller to speak first.
            return await ssl.ReadAsync(new byte[1], quiet.Token) > 0;
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            return true;
        }
        catch (Exception e) when (e is IOException or AuthenticationException)
        {
            return false;
        }
    }

    /// <summary>
    /// A connection attempt that never gets in: the gateway drops each TLS handshake it cannot verify, so the client
    /// either gives up or is still trying when the test stops waiting.
    /// </summary>
    private static async Task<Exception> Refused(Func<CancellationToken, Task<ExternalClient>> connect)
    {
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(8));
        var error = await Record.ExceptionAsync(async () => await (await connect(patience.Token)).DisposeAsync());
        Assert.NotNull(error);
        Assert.True(error is OrleansException or OperationCanceledException, error.ToString());
        return error;
    }

    /// <summary>A connection's transport whose incoming bytes are also copied to <c>seen</c>.</summary>
    private sealed class RecordingTransport(IDuplexPipe inner, MemoryStream seen) : IDuplexPipe
    {
        public PipeReader Input { get; } = PipeReader.Create(new Recording(inner.Input.AsStream(), seen));

        public PipeWriter Output => inner.Output;

        private sealed class Recording(Stream inner, MemoryStream seen) : Stream
        {
            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                var read = await inner.ReadAsync(buffer, cancellationToken);
                lock (seen) seen.Write(buffer.Span[..read]);
                return read;
            }

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();
            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}

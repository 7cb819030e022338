using Accounts.Orleans.Access;
using Accounts.Orleans.Client;
using Accounts.Orleans.Host.Cluster;
using Accounts.Orleans.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Accounts.Orleans.Testing;

/// <summary>
/// One cluster CA for every PostgreSQL-profile Host this test process starts, with a silo certificate they share and a
/// client certificate for the test's own Orleans clients. Embedded Hosts make their own in their data directory.
/// </summary>
public static class TestCertificates
{
    private static readonly Lazy<(ClusterTlsFiles Silo, ClusterTlsFiles Client)> Files = new(Create);

    public static ClusterTlsFiles Silo => Files.Value.Silo;

    public static ClusterTlsFiles Client => Files.Value.Client;

    /// <summary>The certificate an Orleans client of an embedded Host in <paramref name="dataDirectory"/> presents: the console's.</summary>
    public static ClusterTls EmbeddedClient(string dataDirectory)
        => ClusterTls.Load(ClusterTlsFiles.Embedded(dataDirectory, ClusterTlsFiles.EmbeddedConsole), ClusterRole.Client);

    public static ClusterTls SharedClient() => ClusterTls.Load(Client, ClusterRole.Client);

    /// <summary>The certificate a legitimate client of the Host these services belong to presents.</summary>
    public static ClusterTls ClientTls(this IServiceProvider hostServices)
        => hostServices.GetRequiredService<StorageOptions>().DataDirectory is { } data ? EmbeddedClient(data) : SharedClient();

    /// <summary>The admin key an embedded Host in <paramref name="dataDirectory"/> wrote for its console.</summary>
    public static string EmbeddedAdminKey(string dataDirectory) => File.ReadAllText(Path.Combine(dataDirectory, AdminKeyFile.EmbeddedFileName)).Trim();

    /// <summary>Where a PostgreSQL-profile Host of a test database writes its first admin key.</summary>
    public static string AdminKeyFileFor(string connectionString)
        => Path.Combine(Path.GetTempPath(), $"accounts-test-admin-{new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database}.apikey");

    /// <summary>The admin key a legitimate client of the Host these services belong to presents.</summary>
    public static string AdminKey(this IServiceProvider hostServices)
        => hostServices.GetRequiredService<StorageOptions>() is { DataDirectory: { } data }
            ? EmbeddedAdminKey(data)
            : File.ReadAllText(Path.GetFullPath(hostServices.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()[AdminKeyFile.Setting]!)).Trim();

    private static (ClusterTlsFiles, ClusterTlsFiles) Create()
    {
        var directory = Path.Combine(Path.GetTempPath(), $"accounts-test-tls-{Environment.ProcessId}-{Guid.NewGuid():N}");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        };
        using var authority = ClusterAuthority.Create(directory, "tests", TimeProvider.System);
        return (authority.Issue(ClusterRole.Silo, "test-silo", directory, TimeProvider.System),
            authority.Issue(ClusterRole.Client, "test-client", directory, TimeProvider.System));
    }
}

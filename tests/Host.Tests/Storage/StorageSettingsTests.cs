using Accounts.Orleans.Host.Hosting;
using Accounts.Orleans.Host.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Accounts.Orleans.Host.Tests.Storage;

public sealed class StorageSettingsTests
{
    private const string Connection = "Host=db.internal;Database=accounts;Username=accounts;Password=s3cret-canary";

    [Fact]
    public void Each_silo_opens_at_most_twenty_postgres_connections_unless_told_otherwise()
    {
        var options = Read(new() { ["ConnectionStrings:Accounts"] = Connection + ";Maximum Pool Size=100" });

        Assert.Equal(StorageSettings.DefaultMaxPoolSize, new NpgsqlConnectionStringBuilder(options.ConnectionString).MaxPoolSize);
        Assert.Equal(20, StorageSettings.DefaultMaxPoolSize);
    }

    [Fact]
    public void The_pool_size_setting_sets_the_pool_maximum()
        => Assert.Equal(7, new NpgsqlConnectionStringBuilder(Read(new() { ["ConnectionStrings:Accounts"] = Connection, [StorageSettings.MaxPoolSizeKey] = "7" }).ConnectionString).MaxPoolSize);

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    [InlineData("1001")]
    [InlineData("twenty")]
    [InlineData("2.5")]
    public void A_pool_size_out_of_range_stops_the_host_naming_the_key(string value)
    {
        var error = Assert.Throws<StartupException>(() => Read(new() { ["ConnectionStrings:Accounts"] = Connection, [StorageSettings.MaxPoolSizeKey] = value }));

        Assert.Contains(StorageSettings.MaxPoolSizeKey, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-canary", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sqlite_waits_on_a_locked_file_for_less_than_a_grain_call_lasts()
    {
        using var data = new Testing.TempDirectory();
        var options = StorageSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>()).Build(), data.Path);

        Assert.InRange(new SqliteConnectionStringBuilder(options.ConnectionString).DefaultTimeout, 1, 10);
    }

    private static global::Accounts.Orleans.Storage.StorageOptions Read(Dictionary<string, string?> settings)
    {
        settings["Accounts:Storage:Provider"] = "Postgres";
        return StorageSettings.Read(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), Path.GetTempPath());
    }
}

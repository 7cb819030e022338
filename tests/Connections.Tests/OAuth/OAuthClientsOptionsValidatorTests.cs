using Accounts.Orleans.Connections.OAuth;

namespace Accounts.Orleans.Connections.Tests.OAuth;

public sealed class OAuthClientsOptionsValidatorTests
{
    private static OAuthClientsOptions Options(OAuthClientCredentials client) => new() { ["slack"] = client };

    private static IEnumerable<string> Failures(OAuthClientCredentials client)
        => new OAuthClientsOptionsValidator().Validate(null, Options(client)).Failures ?? [];

    [Fact]
    public void Recorded_expiries_are_read_as_utc_dates()
    {
        var client = new OAuthClientCredentials
        {
            ClientId = "cid", ClientSecret = "current", ClientSecretExpiresAt = "2027-01-05",
            NextClientSecret = "next", NextClientSecretExpiresAt = "2027-04-05T12:00:00+02:00",
        };

        Assert.Empty(Failures(client));
        Assert.Equal(new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), client.SecretExpiresAt);
        Assert.Equal(new DateTimeOffset(2027, 4, 5, 10, 0, 0, TimeSpan.Zero), client.NextSecretExpiresAt);
    }

    [Fact]
    public void A_malformed_expiry_stops_the_host_with_a_message_naming_the_key_and_not_the_secret()
    {
        var failures = Failures(new OAuthClientCredentials { ClientId = "cid", ClientSecret = "s3cret-canary", ClientSecretExpiresAt = "05/01/2027" }).ToList();

        var failure = Assert.Single(failures);
        Assert.Contains("Accounts:OAuthClients:slack:ClientSecretExpiresAt", failure, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-canary", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expiry_for_a_secret_that_is_not_set_is_refused()
    {
        var failures = Failures(new OAuthClientCredentials { ClientId = "cid", ClientSecret = "current", NextClientSecretExpiresAt = "2027-01-05" });

        Assert.Contains("Accounts:OAuthClients:slack:NextClientSecretExpiresAt is set, but NextClientSecret is not", Assert.Single(failures), StringComparison.Ordinal);
    }

    [Fact]
    public void The_credentials_print_neither_secret()
    {
        var client = new OAuthClientCredentials { ClientId = "cid", ClientSecret = "current-canary", NextClientSecret = "next-canary", ClientSecretExpiresAt = "2027-01-05" };

        Assert.DoesNotContain("canary", client.ToString(), StringComparison.Ordinal);
    }
}

using Accounts.Orleans.Connections.Audit;
using Accounts.Orleans.Contracts.Accounts;
using Accounts.Orleans.Storage;
using Accounts.Orleans.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Host.Tests.Access;

public sealed class AuditFailClosedTests(PostgresServer postgres)
{
    public static TheoryData<StorageEngine> Engines => [StorageEngine.Sqlite, StorageEngine.Postgres];

    private static readonly WorkflowStep Step = new("wf_invoices", "send_email");
    private static readonly CredentialRequest Read = new(TestHost.Workspace, Step.WorkflowId, Step.StepId);

    [Theory, MemberData(nameof(Engines))]
    public async Task Reads_go_on_while_the_audit_waits_a_bounded_time_then_fail_closed_until_it_is_stored(StorageEngine engine)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-03-01T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var host = await TestHost.On(engine, postgres).WithKeyApp().WithTime(clock).StartAsync();
        var trail = host.Services.GetRequiredService<AuditTrail>();
        var account = await host.ConnectWithKeyAsync();
        await host.Account(account.Id).LinkAsync(TestHost.Workspace, Step);
        await host.Account(account.Id).GetCredentialsAsync(Read);
        await host.FlushAuditAsync();

        await RenameAuditTableAsync(host, "accounts_audit", "accounts_audit_away");
        await host.Account(account.Id).GetCredentialsAsync(Read);
        await Assert.ThrowsAnyAsync<Exception>(host.FlushAuditAsync);
        clock.Advance(TimeSpan.FromSeconds(29));
        await host.Account(account.Id).GetCredentialsAsync(Read);

        var lastServed = (await host.Account(account.Id).GetAsync()).LastUsedAt;
        clock.Advance(TimeSpan.FromSeconds(2));
        await Assert.ThrowsAsync<AuditUnavailableException>(() => host.Account(account.Id).GetCredentialsAsync(Read));
        Assert.Equal(lastServed, (await host.Account(account.Id).GetAsync()).LastUsedAt);

        await RenameAuditTableAsync(host, "accounts_audit_away", "accounts_audit");
        for (var tick = 0; trail.Backlog > 0 && tick < 100; tick++)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        await host.Account(account.Id).GetCredentialsAsync(Read);

        var reads = (await host.Directory.GetAuditAsync(account.Id, 50)).Where(e => e.Action == AuditTrail.CredentialsRead).ToList();
        Assert.Equal(4, reads.Sum(ReadCount));
    }

    /// <summary>A stored read row stands for one read, or for several folded into "N reads since …".</summary>
    private static int ReadCount(AuditEvent read)
        => read.Detail is { } detail ? int.Parse(detail.AsSpan(0, detail.IndexOf(' ', StringComparison.Ordinal)), System.Globalization.CultureInfo.InvariantCulture) : 1;

    private static async Task RenameAuditTableAsync(TestHost host, string from, string to)
    {
        await using var connection = await host.Services.GetRequiredService<AccountsDatabase>().OpenAsync(TestContext.Current.CancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"ALTER TABLE {from} RENAME TO {to};";
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }
}

namespace Accounts.Orleans.Contracts.Accounts;

[GenerateSerializer, Alias("accounts.maintenance-report"), Immutable]
public sealed record MaintenanceReport(
    [property: Id(0)] int Done,
    [property: Id(1)] int Skipped,
    [property: Id(2)] IReadOnlyList<string> Failed);

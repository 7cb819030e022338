namespace Accounts.Orleans.Vault;

/// <summary>
/// Something a module keeps sealed under the master key ring. Before it creates a new ring, the vault asks each of these
/// whether anything sealed exists: a missing ring while sealed data exists stops the service instead of starting afresh,
/// because a new key could never open that data.
/// </summary>
public interface ISealedSecrets
{
    /// <summary>What is sealed, for the operator ("3 account(s)"); null when nothing is.</summary>
    Task<string?> DescribeAsync(CancellationToken cancellationToken);
}

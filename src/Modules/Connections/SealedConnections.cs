using System.Globalization;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Vault;

namespace Accounts.Orleans.Connections;

/// <summary>What this module keeps sealed under the master key ring: live accounts, and OAuth client secrets operators stored.</summary>
internal sealed class SealedConnections(AccountsDatabase database) : ISealedSecrets
{
    public async Task<string?> DescribeAsync(CancellationToken cancellationToken)
    {
        var accounts = await CountAsync("SELECT COUNT(*) FROM accounts_account_index WHERE deleted = 0;", null, cancellationToken);
        var clients = await CountAsync("SELECT COUNT(*) FROM accounts_grain_state WHERE grain_type = @type AND payload IS NOT NULL;", OAuthClientRegistryGrain.StateName, cancellationToken);
        return (accounts, clients) switch
        {
            (0, 0) => null,
            (_, 0) => $"{accounts} account(s)",
            _ => $"{accounts} account(s) and stored OAuth client secrets",
        };
    }

    private async Task<long> CountAsync(string sql, string? type, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (type is not null) command.AddParameter("type", type);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }
}

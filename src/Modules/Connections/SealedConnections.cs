using System.Globalization;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Vault;

namespace Accounts.Orleans.Connections;

/// <summary>What this module keeps sealed under the master key ring: live accounts, and OAuth client secrets operators stored.</summary>
internal sealed class SealedConnections(AccountsDatabase database) : ISealedSecrets
{
    public async Task<string?> DescribeAsync(CancellationToken cancellationToken)
    {
        // Counted in the grain state itself, not the account index: the index is derived and may be empty or stale
        // (rebuilt, restored from another backup), and a fresh ring over real secrets would lose them all.
        var payload = database.Options.Engine == StorageEngine.Postgres ? "convert_from(payload, 'UTF8')" : "CAST(payload AS TEXT)";
        var accounts = await CountAsync(
            $"""SELECT COUNT(*) FROM accounts_grain_state WHERE grain_type = @type AND payload IS NOT NULL AND {payload} LIKE '%"sealedSecrets":"%';""",
            Accounts.ConnectedAccountGrain.StateName, cancellationToken);
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

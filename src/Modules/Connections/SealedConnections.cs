using System.Globalization;
using Accounts.Orleans.Connections.OAuth;
using Accounts.Orleans.Vault;

namespace Accounts.Orleans.Connections;

/// <summary>What this module keeps sealed under the master key ring: live accounts, OAuth client secrets operators stored, webhook signing secrets.</summary>
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
        var endpoints = await CountEndpointsAsync(cancellationToken);
        var parts = new[]
        {
            accounts > 0 ? $"{accounts} account(s)" : null,
            clients > 0 ? "stored OAuth client secrets" : null,
            endpoints > 0 ? $"{endpoints} webhook endpoint secret(s)" : null,
        }.OfType<string>().ToArray();
        return parts.Length == 0 ? null : string.Join(" and ", parts);
    }

    private async Task<long> CountEndpointsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await CountAsync("SELECT COUNT(*) FROM webhooks_endpoints;", null, cancellationToken);
        }
        catch (System.Data.Common.DbException)
        {
            // A database from before webhooks has no such table, so nothing sealed in it.
            return 0;
        }
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

using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Storage;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>
/// The store remembers each master key that has opened it by a check value, an HMAC of a fixed label under the key:
/// enough to tell the same key from another, useless for recovering it. A ring that shares no key with the store, or
/// holds a different key under a remembered id, is refused before the silo starts.
/// </summary>
internal sealed class KeyChecks(AccountsDatabase database)
{
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("accounts-orleans/vault/key-check/v1");

    public static string CheckOf(MasterKey key) => Convert.ToHexStringLower(HMACSHA256.HashData(key.Material, Label).AsSpan(0, 16));

    /// <summary>Why the ring cannot open this store, or null when it can (a store that remembers no key accepts any ring).</summary>
    public static string? Mismatch(KeyRing ring, IReadOnlyDictionary<string, string> remembered)
    {
        if (remembered.Count == 0) return null;
        foreach (var key in ring.Keys)
        {
            if (remembered.TryGetValue(key.Id, out var check) && !string.Equals(check, CheckOf(key), StringComparison.Ordinal))
                return $"its key '{key.Id}' is not the key of that id this store was sealed with";
        }
        return ring.Keys.Any(k => remembered.ContainsKey(k.Id))
            ? null
            : $"it holds none of the keys this store was sealed with ({string.Join(", ", remembered.Keys.Order(StringComparer.Ordinal))})";
    }

    public async Task<IReadOnlyDictionary<string, string>> ReadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_id, check_value FROM accounts_vault_key_checks;";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var checks = new Dictionary<string, string>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken)) checks[reader.GetString(0)] = reader.GetString(1);
        return checks;
    }

    public async Task ForgetAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM accounts_vault_key_checks;";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Remembers the ring's keys the store does not know yet; silos starting together may race, the first row wins.</summary>
    public async Task RememberAsync(KeyRing ring, IReadOnlyDictionary<string, string> remembered, CancellationToken cancellationToken)
    {
        var added = ring.Keys.Where(k => !remembered.ContainsKey(k.Id)).ToList();
        if (added.Count == 0) return;
        await using var connection = await database.OpenAsync(cancellationToken);
        foreach (var key in added)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO accounts_vault_key_checks (key_id, check_value) VALUES (@id, @check) ON CONFLICT (key_id) DO NOTHING;";
            command.AddParameter("id", key.Id);
            command.AddParameter("check", CheckOf(key));
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}

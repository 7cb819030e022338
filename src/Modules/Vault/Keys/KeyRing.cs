namespace Accounts.Orleans.Vault.Keys;

/// <summary>
/// The master keys a deployment holds: one active key wraps new data keys; older keys stay to unwrap what they
/// wrapped until everything has been re-wrapped under the active one.
/// </summary>
public sealed class KeyRing
{
    private readonly Dictionary<string, MasterKey> _keys;

    /// <exception cref="ArgumentException">No keys, duplicate ids, or the active id is not in the ring.</exception>
    public KeyRing(IEnumerable<MasterKey> keys, string activeKeyId)
    {
        _keys = new Dictionary<string, MasterKey>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            if (!_keys.TryAdd(key.Id, key)) throw new ArgumentException($"Master key id '{key.Id}' appears twice.", nameof(keys));
        }
        if (!_keys.TryGetValue(activeKeyId, out var active)) throw new ArgumentException($"The active master key '{activeKeyId}' is not in the key ring.", nameof(activeKeyId));
        Active = active;
    }

    public MasterKey Active { get; }

    public IReadOnlyCollection<MasterKey> Keys => _keys.Values;

    public MasterKey? Find(string id) => _keys.GetValueOrDefault(id);

    /// <summary>A ring with a new active key; the current keys stay for unwrapping.</summary>
    public KeyRing Rotate(TimeProvider time)
    {
        var next = MasterKey.Generate(time);
        return new KeyRing(_keys.Values.Append(next), next.Id);
    }
}

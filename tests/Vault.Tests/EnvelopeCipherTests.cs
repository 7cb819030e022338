using System.Security.Cryptography;
using System.Text;
using Accounts.Orleans.Vault.Envelopes;
using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Vault.Tests;

/// <summary>The barrier checks: what an attacker with the database, but not the key ring, can and cannot do.</summary>
public sealed class EnvelopeCipherTests
{
    private static readonly byte[] Secret = Encoding.UTF8.GetBytes("""{"api_key":"SG.canary-7f3a9c2e-secret"}""");
    private static readonly CredentialBinding Owner = new("ws_acme", "acct_01JD0000000000000000000000");

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));
    private readonly KeyRingHolder _ring;
    private readonly EnvelopeCipher _cipher;

    public EnvelopeCipherTests()
    {
        var key = MasterKey.Generate(_time);
        _ring = new KeyRingHolder(new KeyRing([key], key.Id));
        _cipher = new EnvelopeCipher(_ring);
    }

    [Fact]
    public void A_sealed_secret_opens_to_the_same_bytes()
        => Assert.Equal(Secret, _cipher.Open(_cipher.Seal(Secret, Owner), Owner));

    [Fact]
    public void Stored_bytes_do_not_contain_the_plaintext()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);

        Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("canary-7f3a9c2e")));
        Assert.Equal(-1, Encoding.UTF8.GetString(sealedBytes).IndexOf("SG.", StringComparison.Ordinal));
    }

    [Fact]
    public void The_same_plaintext_seals_differently_every_time()
        => Assert.NotEqual(_cipher.Seal(Secret, Owner), _cipher.Seal(Secret, Owner));

    [Fact]
    public void Flipping_any_single_byte_makes_the_envelope_fail_to_open()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);
        for (var i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = sealedBytes.ToArray();
            tampered[i] ^= 0x01;
            Assert.ThrowsAny<CredentialEnvelopeException>(() => _cipher.Open(tampered, Owner));
        }
    }

    [Fact]
    public void An_envelope_moved_to_another_account_or_workspace_fails_to_open()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);

        Assert.Throws<CredentialEnvelopeException>(() => _cipher.Open(sealedBytes, Owner with { AccountId = "acct_01JD0000000000000000000001" }));
        Assert.Throws<CredentialEnvelopeException>(() => _cipher.Open(sealedBytes, Owner with { WorkspaceId = "ws_other" }));
    }

    [Fact]
    public void Field_boundaries_are_authenticated_so_shifting_a_character_between_ids_fails()
    {
        var sealedBytes = _cipher.Seal(Secret, new CredentialBinding("ab", "c"));
        Assert.Throws<CredentialEnvelopeException>(() => _cipher.Open(sealedBytes, new CredentialBinding("a", "bc")));
    }

    [Fact]
    public void A_wrong_master_key_with_the_same_id_fails_closed()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);
        var impostor = new MasterKey(_ring.Current.Active.Id, RandomNumberGenerator.GetBytes(MasterKey.Length), _time.GetUtcNow());

        var wrongRing = new EnvelopeCipher(new KeyRingHolder(new KeyRing([impostor], impostor.Id)));

        Assert.Throws<CredentialEnvelopeException>(() => wrongRing.Open(sealedBytes, Owner));
    }

    [Fact]
    public void An_envelope_sealed_under_a_key_missing_from_the_ring_fails_naming_only_the_key_id()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);
        var other = MasterKey.Generate(_time);

        var error = Assert.Throws<CredentialEnvelopeException>(() => new EnvelopeCipher(new KeyRingHolder(new KeyRing([other], other.Id))).Open(sealedBytes, Owner));

        Assert.Contains(_ring.Current.Active.Id, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(31)]
    [InlineData(33)]
    [InlineData(64)]
    public void A_master_key_of_the_wrong_length_is_rejected(int length)
        => Assert.Throws<ArgumentException>(() => new MasterKey("mk-test", new byte[length], _time.GetUtcNow()));

    [Fact]
    public void After_rotation_new_seals_use_the_new_key_and_old_envelopes_still_open()
    {
        var old = _cipher.Seal(Secret, Owner);
        var oldKeyId = _ring.Current.Active.Id;

        _ring.Replace(_ring.Current.Rotate(_time));
        var fresh = _cipher.Seal(Secret, Owner);

        Assert.Equal(oldKeyId, EnvelopeCipher.MasterKeyIdOf(old));
        Assert.Equal(_ring.Current.Active.Id, EnvelopeCipher.MasterKeyIdOf(fresh));
        Assert.NotEqual(oldKeyId, _ring.Current.Active.Id);
        Assert.Equal(Secret, _cipher.Open(old, Owner));
        Assert.Equal(Secret, _cipher.Open(fresh, Owner));
    }

    [Fact]
    public void Rewrap_moves_an_envelope_to_the_active_key_so_the_old_key_can_be_retired()
    {
        var old = _cipher.Seal(Secret, Owner);
        _ring.Replace(_ring.Current.Rotate(_time));

        var rewrapped = _cipher.Rewrap(old, Owner);
        var retired = new KeyRing([_ring.Current.Active], _ring.Current.Active.Id);

        Assert.Equal(_ring.Current.Active.Id, EnvelopeCipher.MasterKeyIdOf(rewrapped));
        Assert.Equal(Secret, new EnvelopeCipher(new KeyRingHolder(retired)).Open(rewrapped, Owner));
        Assert.Throws<CredentialEnvelopeException>(() => new EnvelopeCipher(new KeyRingHolder(retired)).Open(old, Owner));
    }

    [Fact]
    public void Rewrap_does_not_let_an_envelope_change_owner()
    {
        var old = _cipher.Seal(Secret, Owner);
        _ring.Replace(_ring.Current.Rotate(_time));

        Assert.Throws<CredentialEnvelopeException>(() => _cipher.Rewrap(old, Owner with { AccountId = "acct_someone_else" }));
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 2, 5, 1, 2, 3 })]
    [InlineData(new byte[] { 1, 0 })]
    public void Garbage_is_refused_as_a_format_error(byte[] garbage)
        => Assert.Throws<CredentialEnvelopeException>(() => _cipher.Open(garbage, Owner));

    [Fact]
    public void A_truncated_envelope_is_refused()
    {
        var sealedBytes = _cipher.Seal(Secret, Owner);
        Assert.Throws<CredentialEnvelopeException>(() => _cipher.Open(sealedBytes.AsSpan(0, sealedBytes.Length - 20), Owner));
    }

    [Fact]
    public void A_master_key_never_prints_its_material()
    {
        var key = _ring.Current.Active;
        Assert.Equal($"MasterKey({key.Id})", key.ToString());
    }
}

using Accounts.Orleans.Vault.Keys;
using Microsoft.Extensions.Time.Testing;

namespace Accounts.Orleans.Vault.Tests;

public sealed class KeyRingFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("vault-test-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero));

    private string RingPath => Path.Combine(_directory, "master-keys.json");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_written_ring_reads_back_with_the_same_keys_and_active_key()
    {
        var first = MasterKey.Generate(_time);
        var ring = new KeyRing([first], first.Id).Rotate(_time);

        KeyRingFile.Write(RingPath, ring);
        var read = KeyRingFile.Read(RingPath);

        Assert.Equal(ring.Active.Id, read.Active.Id);
        Assert.Equal(ring.Keys.Select(k => k.Id).Order(), read.Keys.Select(k => k.Id).Order());
        Assert.True(read.Find(first.Id)!.Material.SequenceEqual(first.Material));
    }

    [Fact, System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void The_file_is_readable_by_its_owner_only()
    {
        var key = MasterKey.Generate(_time);
        KeyRingFile.Write(RingPath, new KeyRing([key], key.Id));

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(RingPath));
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("""{"formatVersion":2,"activeKeyId":"a","keys":[]}""")]
    [InlineData("""{"formatVersion":1,"activeKeyId":"missing","keys":[{"id":"k1","createdAt":"2026-01-01T00:00:00Z","material":"AAAA"}]}""")]
    [InlineData("""{"formatVersion":1,"activeKeyId":"k1","keys":[{"id":"k1","createdAt":"2026-01-01T00:00:00Z","material":"AAAA"}]}""")]
    [InlineData("""{"formatVersion":1,"activeKeyId":"k1","keys":[{"id":"k1","createdAt":"2026-01-01T00:00:00Z","material":"%%%"}]}""")]
    public void A_malformed_ring_is_refused_with_a_message_naming_the_file(string content)
    {
        File.WriteAllText(RingPath, content);

        var error = Assert.Throws<KeyRingFileException>(() => KeyRingFile.Read(RingPath));

        Assert.Contains(RingPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_ring_file_is_refused()
        => Assert.Throws<KeyRingFileException>(() => KeyRingFile.Read(RingPath));
}

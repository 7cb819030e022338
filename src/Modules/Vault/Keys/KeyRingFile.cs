using System.Globalization;
using System.Text.Json;

namespace Accounts.Orleans.Vault.Keys;

/// <summary>
/// The key ring on disk: JSON, readable only by its owner (0600), kept outside the database so a stolen database
/// alone reveals nothing. Writes go to a temporary file first and replace the old one in a single rename.
/// </summary>
public static class KeyRingFile
{
    private const int FormatVersion = 1;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private sealed record Document(int FormatVersion, string ActiveKeyId, IReadOnlyList<KeyEntry> Keys);

    private sealed record KeyEntry(string Id, DateTimeOffset CreatedAt, string Material);

    /// <exception cref="KeyRingFileException">The file is unreadable, malformed, or holds an invalid key.</exception>
    public static KeyRing Read(string path)
    {
        RequireOwnerOnly(path);
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(File.ReadAllText(path), Json);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // JsonException messages can quote the file's content; name the problem, not the bytes.
            throw new KeyRingFileException($"Cannot read the key ring '{path}': {(e is JsonException ? "not valid key-ring JSON" : e.Message)}.");
        }
        if (document is null || document.FormatVersion != FormatVersion || document.Keys is null || document.ActiveKeyId is null)
            throw new KeyRingFileException($"The key ring '{path}' is not a version-{FormatVersion} key ring.");
        try
        {
            var keys = document.Keys.Select(k => new MasterKey(k.Id, Convert.FromBase64String(k.Material), k.CreatedAt));
            return new KeyRing(keys.ToList(), document.ActiveKeyId);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new KeyRingFileException($"The key ring '{path}' holds an invalid key: {(e is FormatException ? "material is not base64" : e.Message)}");
        }
    }

    /// <summary>
    /// The ring opens every credential: a file that other users of the machine may read (or write) is refused rather
    /// than used, so a mode loosened by a copy or an unpacked backup is noticed before it matters.
    /// </summary>
    /// <exception cref="KeyRingFileException">Group or others have any access to the file.</exception>
    private static void RequireOwnerOnly(string path)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(path)) return;
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;
        var mode = File.GetUnixFileMode(path);
        if ((mode & others) != 0)
            throw new KeyRingFileException($"The key ring '{path}' can be read or changed by other users (mode {Convert.ToString((int)mode, 8).PadLeft(4, '0')}); make it private to the service's user (chmod 600) and start again.");
    }

    /// <summary>Writes the ring, replacing any existing file.</summary>
    public static void Write(string path, KeyRing ring) => Write(path, ring, overwrite: true);

    /// <summary>Writes the ring only if no file exists yet; false when another process got there first.</summary>
    public static bool TryCreate(string path, KeyRing ring)
    {
        try
        {
            Write(path, ring, overwrite: false);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }

    private static void Write(string path, KeyRing ring, bool overwrite)
    {
        var document = new Document(FormatVersion, ring.Active.Id,
            ring.Keys.OrderBy(k => k.CreatedAt).Select(k => new KeyEntry(k.Id, k.CreatedAt, Convert.ToBase64String(k.ExportMaterial()))).ToList());
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(path)}.{Environment.ProcessId.ToString(CultureInfo.InvariantCulture)}.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(temporary, options))
        {
            JsonSerializer.Serialize(stream, document, Json);
            stream.Flush(flushToDisk: true);
        }
        try
        {
            // Without overwrite the rename fails if the file appeared meanwhile: two silos generating at once
            // end up sharing the first one's ring instead of each keeping its own.
            File.Move(temporary, path, overwrite);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}

public sealed class KeyRingFileException(string message) : Exception(message);

namespace Accounts.Orleans.Host.Cluster;

/// <summary>Files and folders only their owner can read, as the key ring is: private keys, and the certificates beside them.</summary>
internal static class PrivateFiles
{
    /// <summary>Writes a new file; never replaces one, since a replaced key would orphan every certificate issued for it.</summary>
    /// <exception cref="IOException">The file exists or cannot be written.</exception>
    public static void WriteNew(string path, string text)
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    public static void CreateDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

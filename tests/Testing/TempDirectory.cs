namespace Accounts.Orleans.Testing;

/// <summary>A directory that is removed with everything in it when the test ends.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("accounts-test-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A SQLite handle still closing; the OS temp cleaner gets it.
        }
    }
}

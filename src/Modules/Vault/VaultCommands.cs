using Accounts.Orleans.Vault.Keys;

namespace Accounts.Orleans.Vault;

/// <summary>
/// Operator commands on the key ring file, run without starting the service:
/// <c>vault init --file PATH</c> creates a ring if none exists; <c>vault rotate --file PATH</c> adds a new active key
/// (existing envelopes stay readable through the older keys).
/// </summary>
public static class VaultCommands
{
    public static bool IsVaultCommand(string[] args) => args is ["vault", ..];

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var file = args.SkipWhile(a => a != "--file").Skip(1).FirstOrDefault();
        if (args.Length < 2 || file is null)
        {
            error.WriteLine("usage: vault init --file PATH | vault rotate --file PATH | vault rewrap (against the running cluster)");
            return 2;
        }
        try
        {
            switch (args[1])
            {
                case "init":
                    var key = MasterKey.Generate(TimeProvider.System);
                    output.WriteLine(KeyRingFile.TryCreate(file, new KeyRing([key], key.Id))
                        ? $"created {file} with master key {key.Id}; back it up and keep it secret"
                        : $"{file} already exists; left unchanged");
                    return 0;
                case "rotate":
                    var rotated = KeyRingFile.Read(file).Rotate(TimeProvider.System);
                    KeyRingFile.Write(file, rotated);
                    output.WriteLine($"{file}: new active key {rotated.Active.Id}; {rotated.Keys.Count} key(s). Restart every silo with this file.");
                    return 0;
                default:
                    error.WriteLine($"unknown vault command '{args[1]}'");
                    return 2;
            }
        }
        catch (Exception e) when (e is KeyRingFileException or IOException or UnauthorizedAccessException)
        {
            error.WriteLine(e.Message);
            return 1;
        }
    }
}

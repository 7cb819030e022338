using System.Text.RegularExpressions;

namespace Accounts.Orleans.Host.Tests;

/// <summary>The Host reaches a module only through its root namespace (its Add… extension and public face) and the contracts.</summary>
public sealed partial class ModuleBoundaryTests
{
    [Fact]
    public void No_host_file_names_a_modules_inner_namespace()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Accounts.Orleans.sln"))) root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("The repository root was not found above the test binaries.");
        var host = Path.Combine(root, "src", "Host");

        var crossings = Directory.EnumerateFiles(host, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => InnerNamespace().Matches(File.ReadAllText(f)).Select(m => $"{Path.GetRelativePath(root, f)}: {m.Value}"))
            .ToArray();

        Assert.True(Directory.EnumerateFiles(host, "*.cs", SearchOption.AllDirectories).Count() > 20);
        Assert.Empty(crossings);
    }

    [GeneratedRegex(@"Accounts\.Orleans\.(Catalog|Connections|Vault|Storage)\.[A-Z]\w*(\.|;)")]
    private static partial Regex InnerNamespace();
}

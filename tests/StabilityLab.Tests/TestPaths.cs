namespace StabilityLab.Tests;

/// <summary>Where the repository is, seen from the test assembly (bin/&lt;configuration&gt;/&lt;tfm&gt;/ under tests/).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = Find();

    private static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "StabilityLab.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("repository root not found");
    }
}

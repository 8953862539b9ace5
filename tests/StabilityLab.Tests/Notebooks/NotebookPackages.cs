using System.Text.Json.Nodes;
using StabilityLab.Tests.Packaging;

namespace StabilityLab.Tests.Notebooks;

/// <summary>
/// This build's libraries as NuGet packages in a feed of their own, and notebooks run against them. The packages get a
/// version of their own (0.1.0-test.…): the NuGet cache keeps one copy per id and version, and its 0.1.0 may be an
/// older build. Each notebook runs in a process that holds no StabilityLab assembly (tests/StabilityLab.NotebookRunner),
/// so its <c>#r "nuget: StabilityLab.…"</c> lines load the packages, TorchSharp's natives included, as they do for a user.
/// </summary>
internal sealed class NotebookPackages : IDisposable
{
    private static readonly string[] Libraries = ["StabilityLab.Core", "StabilityLab.Torch", "StabilityLab.Plotting"];
    private readonly string _temp;

    private NotebookPackages(string temp, string version)
    {
        _temp = temp;
        Version = version;
    }

    /// <summary>The feed: a folder of .nupkg files.</summary>
    public string Feed => Path.Combine(_temp, "feed");

    /// <summary>The version every package of the feed carries.</summary>
    public string Version { get; }

    /// <summary>Packs the libraries this test run was built with (no rebuild).</summary>
    public static NotebookPackages Pack()
    {
        var temp = Directory.CreateTempSubdirectory("stabilitylab-notebooks-").FullName;
        var packages = new NotebookPackages(temp, $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}");
        foreach (var library in Libraries)
        {
            var project = Path.Combine(TestPaths.RepoRoot, "src", library, library + ".csproj");
            DotnetProcess.Dotnet("pack", project, "-c", DotnetProcess.BuildConfiguration, "--no-build", "-o", packages.Feed,
                $"-p:PackageVersion={packages.Version}", "-nodeReuse:false");
        }
        return packages;
    }

    /// <summary>Each code cell's outputs (nbformat 4) from a fresh run of the notebook; the test fails naming the first failing cell.</summary>
    public IReadOnlyList<JsonArray> Execute(string notebook)
    {
        var runner = Path.Combine(TestPaths.RepoRoot, "tests", "StabilityLab.NotebookRunner", "bin", DotnetProcess.BuildConfiguration, "net10.0", "StabilityLab.NotebookRunner.dll");
        Assert.That(File.Exists(runner), Is.True, $"{runner} is not built (dotnet build)");
        var (code, stdout, stderr) = DotnetProcess.Run("dotnet", [runner, notebook, Feed, Version], minutes: 10);
        Assert.That(code, Is.Zero, stderr);
        return JsonNode.Parse(stdout)!.AsArray().Select(cell => cell!.AsArray()).ToList();
    }

    /// <summary>Deletes the feed and this version's folders in the NuGet cache.</summary>
    public void Dispose()
    {
        var line = DotnetProcess.Dotnet("nuget", "locals", "global-packages", "--list").Trim();
        var cache = line[(line.IndexOf(':') + 1)..].Trim();
        foreach (var library in Libraries)
        {
            var folder = Path.Combine(cache, library.ToLowerInvariant(), Version);
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
        if (Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true);
    }
}

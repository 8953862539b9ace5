using System.Text.Json;
using StabilityLab.Build;
using StabilityLab.Cli;

namespace StabilityLab.Tests.Packaging;

/// <summary>
/// Packs the CLI as a .NET tool from this test run's build (no rebuild), installs it into a temporary
/// tool path from a feed that holds only that package, and runs the installed command, TorchSharp included:
/// what `dotnet pack -c Release -o artifacts` + `dotnet tool install --global --add-source ./artifacts stabilitylab`
/// gives a user.
/// </summary>
[NonParallelizable]
public class ToolInstallTests
{
    private string _temp = "";

    [OneTimeSetUp]
    public void PackAndInstall()
    {
        _temp = Directory.CreateTempSubdirectory("stabilitylab-tool-").FullName;
        string feed = Path.Combine(_temp, "feed");
        string project = Path.Combine(TestPaths.RepoRoot, "src", "StabilityLab.Cli", "StabilityLab.Cli.csproj");
        DotnetProcess.Dotnet("pack", project, "-c", DotnetProcess.BuildConfiguration, "--no-build", "-o", feed, "-nodeReuse:false");

        // A feed of this package only: nuget.org must not be asked (and could hold another "stabilitylab").
        string config = Path.Combine(_temp, "nuget.config");
        File.WriteAllText(config, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        DotnetProcess.Dotnet("tool", "install", "--tool-path", ToolPath, "--configfile", config, "stabilitylab", "--version", PackageVersion);
    }

    [OneTimeTearDown]
    public void Clean()
    {
        if (Directory.Exists(_temp)) Directory.Delete(_temp, recursive: true);
    }

    private string ToolPath => Path.Combine(_temp, "tools");

    private static string PackageVersion => typeof(CliApp).Assembly.GetName().Version!.ToString(3);

    [Test]
    public void VersionIsThePackageVersion()
    {
        var (code, stdout, _) = DotnetProcess.Run(Path.Combine(ToolPath, "stabilitylab"), ["--version"]);
        Assert.That(code, Is.Zero);
        Assert.That(stdout.Trim(), Does.StartWith(PackageVersion));
    }

    [Test]
    public void SamplesACell()
    {
        var (code, stdout, stderr) = DotnetProcess.Run(Path.Combine(ToolPath, "stabilitylab"), ["sample", "--width", "16", "--depth", "4", "--trials", "20", "--json"]);
        Assert.That(code, Is.Zero, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("trials").GetInt32(), Is.EqualTo(20));
        Assert.That(double.IsFinite(json.RootElement.GetProperty("fwd_log_sq_mean").GetDouble()), Is.True);
    }

    [Test]
    public void LoadsTorchSharp()
    {
        // The dense sampler materializes the weights with TorchSharp: it fails unless libLibTorchSharp.so loads.
        var (code, stdout, stderr) = DotnetProcess.Run(Path.Combine(ToolPath, "stabilitylab"), ["sample", "--sampler", "dense", "--width", "16", "--depth", "4", "--trials", "20", "--json"]);
        Assert.That(code, Is.Zero, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.That(json.RootElement.GetProperty("sampler").GetString(), Is.EqualTo("dense"));
    }

    [Test]
    public void ThePackagedLibTorchSharpHasTheUnusedVersionNeedWeak()
    {
        // Packed whatever the packing machine's libstdc++ is, so the tool loads on Debian 12 (GLIBCXX_3.4.30).
        var copies = Directory.GetFiles(Path.Combine(ToolPath, ".store"), "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.That(copies, Is.Not.Empty);
        foreach (var copy in copies)
            Assert.That(ElfVersionNeed.IsWeak(copy, ElfVersionNeed.LibTorchSharpUnusedVersion), Is.True, copy);
    }
}

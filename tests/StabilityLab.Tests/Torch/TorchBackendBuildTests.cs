using System.Diagnostics;
using System.Text.Json;

namespace StabilityLab.Tests.Torch;

/// <summary>
/// The build switch -p:TorchBackend=cuda, checked by evaluating the Torch project with MSBuild (items only: no restore,
/// so the CUDA package, which this project's machines cannot download, is never fetched).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class TorchBackendBuildTests
{
    private const string Cpu = "libtorch-cpu-linux-x64", Cuda = "libtorch-cuda-12.8-linux-x64";

    private static string Project(string name) => Path.Combine(TestPaths.RepoRoot, "src", name, name + ".csproj");

    /// <summary>Runs `dotnet msbuild` on the Torch project; returns its exit code and standard output.</summary>
    private static (int Code, string Out) MsBuild(params string[] args) => MsBuildOn("StabilityLab.Torch", args);

    private static (int Code, string Out) MsBuildOn(string project, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet", ["msbuild", Project(project), "-nologo", .. args])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.That(p.WaitForExit(TimeSpan.FromMinutes(2)), Is.True, "dotnet msbuild did not finish");
        return (p.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Identity → Version of the PackageReference items, the versions taken from the central PackageVersion items.</summary>
    private static Dictionary<string, string> References(params string[] properties)
    {
        var (code, output) = MsBuild(["-getItem:PackageReference", "-getItem:PackageVersion", .. properties]);
        Assert.That(code, Is.Zero, output);
        using var json = JsonDocument.Parse(output);
        var items = json.RootElement.GetProperty("Items");
        var versions = items.GetProperty("PackageVersion").EnumerateArray()
            .ToDictionary(i => i.GetProperty("Identity").GetString()!, i => i.GetProperty("Version").GetString()!);
        return items.GetProperty("PackageReference").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!)
            .ToDictionary(id => id, id => versions.GetValueOrDefault(id, ""));
    }

    [Test]
    public void TheDefaultBuildReferencesTheCpuLibTorchOnly()
    {
        var refs = References();
        Assert.That(refs.Keys, Does.Contain(Cpu).And.Contain("TorchSharp").And.Not.Contain(Cuda));
    }

    [Test]
    public void TheCudaSwitchSwapsTheCpuLibTorchForTheCudaOneOfTheSameRelease()
    {
        var cpu = References("-p:TorchBackend=cpu");
        var cuda = References("-p:TorchBackend=cuda");
        Assert.Multiple(() =>
        {
            Assert.That(cuda.Keys, Does.Contain(Cuda).And.Contain("TorchSharp").And.Not.Contain(Cpu));
            Assert.That(cuda.Keys.Except([Cuda]), Is.EquivalentTo(cpu.Keys.Except([Cpu])), "nothing else changes");
            Assert.That(cuda[Cuda], Is.Not.Empty.And.EqualTo(cpu[Cpu]), "the CUDA libtorch must match the release the CPU one is");
            Assert.That(cuda["TorchSharp"], Is.EqualTo(cpu["TorchSharp"]));
        });
    }

    [Test]
    public void AnUnknownBackendFailsTheBuildWithOneMessage()
    {
        var (code, output) = MsBuild("-t:StabilityLabCheckTorchBackend", "-p:TorchBackend=rocm");
        Assert.That(code, Is.Not.Zero, output);
        Assert.That(output, Does.Contain("TorchBackend must be cpu or cuda (got 'rocm')"));
    }

    [Test]
    public void TheCudaBuildHasItsOwnOutputAndRestoreFoldersAndCompilesNeitherBuildsGeneratedFiles()
    {
        (string OutDir, string Assets, string[] Compile) Evaluate(params string[] properties)
        {
            var (code, output) = MsBuildOn("StabilityLab.Cli",
                ["-p:Configuration=Release", "-getProperty:OutDir", "-getProperty:ProjectAssetsFile", "-getItem:Compile", .. properties]);
            Assert.That(code, Is.Zero, output);
            using var json = JsonDocument.Parse(output);
            var props = json.RootElement.GetProperty("Properties");
            return (props.GetProperty("OutDir").GetString()!.Replace('\\', '/'), props.GetProperty("ProjectAssetsFile").GetString()!,
                json.RootElement.GetProperty("Items").GetProperty("Compile").EnumerateArray()
                    .Select(i => i.GetProperty("Identity").GetString()!.Replace('\\', '/')).ToArray());
        }

        var cpu = Evaluate();
        var cuda = Evaluate("-p:TorchBackend=cuda");
        Assert.Multiple(() =>
        {
            Assert.That(cuda.OutDir, Is.Not.EqualTo(cpu.OutDir));
            Assert.That(cuda.OutDir, Does.StartWith("bin/cuda/"));
            Assert.That(cuda.Assets, Is.Not.EqualTo(cpu.Assets));
            Assert.That(cuda.Compile, Is.EquivalentTo(cpu.Compile), "the same sources in both builds");
            Assert.That(cuda.Compile.Where(f => f.StartsWith("obj/", StringComparison.Ordinal) || f.StartsWith("bin/", StringComparison.Ordinal)), Is.Empty);
        });
    }
}

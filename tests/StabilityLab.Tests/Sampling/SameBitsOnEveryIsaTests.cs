using System.Diagnostics;
using NUnit.Framework;

namespace StabilityLab.Tests.Sampling;

/// <summary>
/// The same bits on every CPU (docs/architecture.md, "Randomness"): `sample` and a small `sweep` run in
/// child processes with AVX-512, AVX2 or every hardware intrinsic switched off give byte-identical output
/// to the default run, so the vector width changes neither the Philox normals (the default ziggurat, and Box–Muller for
/// runs made before it), the sums nor tanh.
/// Widths are not multiples of 8 so the scalar tails run too. `train` and `spectrum` too: their weights are Philox
/// (Box–Muller) draws, and libtorch's own code paths are pinned by the CPU's features, not by the runtime's switches
/// (<see cref="StabilityLab.Torch.Training.MklReproducibility"/>).
/// </summary>
[TestFixture]
public sealed class SameBitsOnEveryIsaTests
{
    private static readonly (string Name, string Variable)[] Isas =
    [
        ("AVX-512 off", "DOTNET_EnableAVX512F"),
        ("AVX2 off", "DOTNET_EnableAVX2"),
        ("no hardware intrinsics", "DOTNET_EnableHWIntrinsic"),
    ];

    private static IEnumerable<TestCaseData> SampleCases()
    {
        yield return new TestCaseData("post", "relu", "67", null).SetArgDisplayNames("post relu m=67");
        yield return new TestCaseData("res1", "relu", "45", null).SetArgDisplayNames("res1 relu m=45");
        yield return new TestCaseData("res3", "identity", "30", null).SetArgDisplayNames("res3 identity m=30");
        yield return new TestCaseData("res3", "tanh", "30", null).SetArgDisplayNames("res3 tanh m=30");
        yield return new TestCaseData("post", "tanh", "53", null).SetArgDisplayNames("post tanh m=53");
        yield return new TestCaseData("res1", "relu", "45", "philox").SetArgDisplayNames("res1 relu m=45 philox (Box–Muller)");
    }

    [TestCaseSource(nameof(SampleCases))]
    public void SampleGivesTheSameBytesUnderEveryIsa(string block, string activation, string width, string? generator)
    {
        string[] args = ["sample", "--block", block, "--activation", activation, "--width", width, "--depth", "24", "--trials", "300", "--threads", "2", "--json",
            .. generator is null ? Array.Empty<string>() : ["--generator", generator]];
        var reference = Run(args, null);
        foreach (var (name, variable) in Isas)
            Assert.That(Run(args, variable), Is.EqualTo(reference), $"{name} ({variable}=0) changes the output");
    }

    [Test]
    public void SweepCellsAndRawRowsAreTheSameBytesUnderEveryIsa()
    {
        var root = Directory.CreateTempSubdirectory("isa-sweep-").FullName;
        try
        {
            string Sweep(string? variable)
            {
                var dir = Path.Combine(root, variable ?? "default");
                Run(["sweep", "--out", dir, "--width", "37", "--depth", "8,20", "--tau", "1/sqrt(L)", "--tau", "1", "--trials", "200",
                    "--bootstrap", "40", "--raw", "--threads", "2"], variable);
                return File.ReadAllText(Path.Combine(dir, "cells.csv")) + File.ReadAllText(Path.Combine(dir, "raw.csv"));
            }
            var reference = Sweep(null);
            foreach (var (name, variable) in Isas)
                Assert.That(Sweep(variable), Is.EqualTo(reference), $"{name} ({variable}=0) changes cells.csv or raw.csv");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Test]
    public void TrainingAndSpectralFilesAreTheSameBytesUnderEveryIsa()
    {
        var root = Directory.CreateTempSubdirectory("isa-torch-").FullName;
        try
        {
            string Files(string? variable)
            {
                var train = Path.Combine(root, "train-" + (variable ?? "default"));
                var spectrum = Path.Combine(root, "spectrum-" + (variable ?? "default"));
                Run(["train", "--out", train, "--width", "37", "--depth", "3,9", "--tau", "1/sqrt(L)", "--steps", "25", "--train-size", "12",
                    "--input-dim", "5", "--lr", "2e-3", "--threads", "1"], variable);
                Run(["spectrum", "--out", spectrum, "--width", "29", "--depth", "6", "--tau", "1/sqrt(L)", "--trials", "3", "--inputs", "4",
                    "--threads", "1"], variable);
                return string.Concat(new[] { Path.Combine(train, "curves.csv"), Path.Combine(train, "runs.csv"), Path.Combine(spectrum, "spectra.csv") }
                    .Select(File.ReadAllText));
            }
            var reference = Files(null);
            foreach (var (name, variable) in Isas)
                Assert.That(Files(variable), Is.EqualTo(reference), $"{name} ({variable}=0) changes curves.csv, runs.csv or spectra.csv");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>Runs the CLI with <paramref name="disabled"/>=0 in its environment (none: the default); returns stdout.</summary>
    private static string Run(string[] args, string? disabled)
    {
        var cli = Path.Combine(AppContext.BaseDirectory, "stabilitylab.dll");
        var psi = new ProcessStartInfo("dotnet", [cli, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        if (disabled is not null) psi.Environment[disabled] = "0";
        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        Assert.That(p.WaitForExit(300_000), Is.True, "the child did not finish in 5 minutes");
        Assert.That(p.ExitCode, Is.Zero, $"{string.Join(' ', args)} with {disabled ?? "defaults"}: {stderr.Result}");
        return stdout;
    }
}

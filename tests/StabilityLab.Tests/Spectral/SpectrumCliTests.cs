using System.Text.Json;
using StabilityLab.Cli;
using StabilityLab.Spectral;

namespace StabilityLab.Tests.Spectral;

/// <summary>`stabilitylab spectrum`: bad input exits 2 with one line naming the problem; a small run writes spectra.csv and manifest.json.</summary>
[TestFixture]
public sealed class SpectrumCliTests
{
    private int _threads;

    // The command sets libtorch's process-wide thread count (--threads): put it back for the other tests.
    [SetUp]
    public void SetUp() => _threads = TorchSharp.torch.get_num_threads();

    [TearDown]
    public void TearDown() => TorchSharp.torch.set_num_threads(_threads);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private static IEnumerable<TestCaseData> BadInputs()
    {
        TestCaseData Case(string name, string[] extra, params string[] anyOf) =>
            new TestCaseData(extra, anyOf).SetName("spectrum bad input: " + name);
        yield return Case("pairs foo", ["--pairs", "foo"], "pairs");
        yield return Case("pairs -1", ["--pairs", "-1"], "pairs");
        yield return Case("width 0", ["--width", "0"], "width");
        yield return Case("depth 0", ["--depth", "0"], "depth");
        yield return Case("depth abc", ["--depth", "abc"], "depth");
        yield return Case("tau -1", ["--tau", "-1"], "τ", "tau");
        yield return Case("tau foo(L)", ["--tau", "foo(L)"], "foo");
        yield return Case("tau with free parameter", ["--tau", "L^-beta"], "beta");
        yield return Case("trials 0", ["--trials", "0"], "trials");
        yield return Case("inputs -1", ["--inputs", "-1"], "inputs");
        yield return Case("gram foo", ["--gram", "foo"], "gram");
        yield return Case("exact gram with uniform weights", ["--gram", "exact", "--weights", "uniform"], "gaussian", "exact");
        yield return Case("tolerance 0", ["--tolerance", "0"], "tolerance");
        yield return Case("max-steps 0", ["--max-steps", "0"], "step");
        yield return Case("threads -1", ["--threads", "-1"], "threads");
        yield return Case("svd at width 2048", ["--width", "2048", "--svd"], "svd");
        yield return Case("block res4", ["--block", "res4"], "block");
        yield return Case("unknown option", ["--frobnicate"], "frobnicate");
        yield return Case("max-memory-mib 0", ["--max-memory-mib", "0"], "max-memory-mib", "at least 1");
        yield return Case("a network larger than the machine", ["--width", "60000", "--depth", "300"], "of memory");
        yield return Case("more than --max-memory-mib", ["--width", "256", "--depth", "64", "--max-memory-mib", "1"], "of memory");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputExitsTwoWithOneLine(string[] extra, string[] anyOf)
    {
        var dir = Path.Combine(Path.GetTempPath(), "sl-spectrum-bad-" + Guid.NewGuid().ToString("N"));
        // Small defaults for the options the case does not set itself (an option given twice would be its own error).
        var args = new List<string> { "spectrum", "--out", dir };
        foreach (var (name, value) in new[] { ("--width", "8"), ("--depth", "2"), ("--trials", "1") })
            if (!extra.Contains(name)) args.AddRange([name, value]);
        var (code, stdout, stderr) = Run([.. args, .. extra]);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), $"exit code; stderr: {stderr}");
            Assert.That(stdout, Is.Empty, "nothing on stdout");
            Assert.That(stderr, Does.Match(@"^[^\r\n]*\S[^\r\n]*\r?\n$"), "exactly one non-empty line on stderr");
            Assert.That(anyOf.Any(w => stderr.Contains(w, StringComparison.OrdinalIgnoreCase)), Is.True,
                $"stderr '{stderr.TrimEnd()}' should name one of: {string.Join(", ", anyOf)}");
            Assert.That(Directory.Exists(dir), Is.False, "bad input writes nothing");
        });
    }

    [Test]
    public void MissingOutIsBadInput()
    {
        var (code, _, stderr) = Run("spectrum", "--width", "8");
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput));
        Assert.That(stderr, Does.Contain("--out"));
    }

    [Test]
    public void ASmallRunWritesOneRowPerCellAndAManifest()
    {
        var dir = Path.Combine(Path.GetTempPath(), "sl-spectrum-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, stdout, stderr) = Run("spectrum", "--width", "16", "--depth", "3,70", "--tau", "1/sqrt(L)", "--tau", "L^-0.25",
                "--trials", "3", "--inputs", "4", "--seed", "9", "--threads", "1", "--raw", "--svd", "--out", dir);
            Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
            var lines = File.ReadAllLines(Path.Combine(dir, SpectraTable.FileName));
            Assert.Multiple(() =>
            {
                Assert.That(lines[0], Is.EqualTo(SpectraTable.Header()));
                Assert.That(lines, Has.Length.EqualTo(1 + 4), "one row per (depth, τ rule)");
                Assert.That(string.Join("\n", lines), Does.Not.Contain("NaN").And.Not.Contain("Infinity"));
                Assert.That(stdout, Does.Contain("1/sqrt(L)").And.Contain("L^-0.25"));
            });
            var points = SpectraTable.ReadPoints(Path.Combine(dir, SpectraTable.FileName));
            Assert.That(points.Select(p => (p.TauRule, p.Depth, p.Quantity)).Distinct().Count(), Is.EqualTo(8), "whole and max-pair per cell");
            Assert.That(points.All(p => p.Trials == 3 && p.Q05 <= p.MedianLogSq && p.MedianLogSq <= p.Q95 && p.MeanLo <= p.MeanHi), Is.True);
            Assert.That(points.Where(p => p.Quantity == ProductQuantity.MaxPair)
                .All(mp => mp.MedianLogSq >= points.Single(w => w.Quantity == ProductQuantity.Whole && w.TauRule == mp.TauRule && w.Depth == mp.Depth).MedianLogSq - 1e-12),
                Is.True, "the largest pair is at least the whole product");

            using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "manifest.json")));
            var root = manifest.RootElement;
            Assert.Multiple(() =>
            {
                Assert.That(root.GetProperty("command").GetString(), Is.EqualTo("spectrum"));
                Assert.That(root.GetProperty("status").GetString(), Is.EqualTo("complete"));
                Assert.That(root.GetProperty("seed").GetUInt64(), Is.EqualTo(9UL));
                Assert.That(root.GetProperty("version").GetString(), Is.Not.Empty);
                Assert.That(root.TryGetProperty("git_commit", out _), Is.True);
                Assert.That(root.GetProperty("machine").GetProperty("cores").GetInt32(), Is.GreaterThan(0));
                Assert.That(root.GetProperty("spec").GetProperty("width").GetInt32(), Is.EqualTo(16));
                Assert.That(root.GetProperty("pair_samples").GetProperty("70").GetArrayLength(), Is.EqualTo(65), "the sample at L = 70 is stated");
                Assert.That(root.GetProperty("cells").GetArrayLength(), Is.EqualTo(4));
                Assert.That(File.ReadAllLines(Path.Combine(dir, "spectra_trials.csv")), Has.Length.EqualTo(1 + 4 * 3));
                Assert.That(File.Exists(Path.Combine(dir, "singular_values.csv")), Is.True);
            });
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}

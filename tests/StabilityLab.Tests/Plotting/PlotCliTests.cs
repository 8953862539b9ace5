using StabilityLab.Cli;
using static StabilityLab.Tests.Plotting.PlotFixture;

namespace StabilityLab.Tests.Plotting;

/// <summary>`stabilitylab plot`: good input writes figures and their data; bad input exits 2 with one line.</summary>
public sealed class PlotCliTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private static IEnumerable<TestCaseData> BadInputs()
    {
        yield return new TestCaseData((Func<string[]>)(() => ["plot", SweepDir, "--figure", "pie", "--out", NewDir("cli")]), "pie").SetName("plot: unknown figure");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", NewDir("empty"), "--figure", "depth"]), "cells.csv").SetName("plot: no cells.csv");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", SweepDir, "--figure", "depth", "--format", "gif", "--out", NewDir("cli")]), "gif").SetName("plot: unknown format");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", SweepDir, "--figure", "depth", "--size", "huge", "--out", NewDir("cli")]), "huge").SetName("plot: unknown size");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", Path.Combine(Root, "no-such-dir"), "--figure", "depth"]), "no-such-dir").SetName("plot: missing directory");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", SweepDir, "--figure", "depth", "--out", Path.Combine(SweepDir, "cells.csv")]), "cells.csv").SetName("plot: output is a file");
        yield return new TestCaseData((Func<string[]>)(() => ["plot", SweepDir, "--figure", "training", "--out", NewDir("cli")]), "curves.csv").SetName("plot: training without curves.csv");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void BadInputExitsTwoWithOneLine(Func<string[]> args, string named)
    {
        var (code, stdout, stderr) = Run(args());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Match(@"^[^\r\n]*\S[^\r\n]*\r?\n$"), "exactly one line on stderr");
            Assert.That(stderr, Does.Contain(named));
        });
    }

    [Test]
    public void UnwritableOutputExitsTwo()
    {
        var locked = NewDir("locked");
        var blocker = Path.Combine(locked, "figures");
        File.WriteAllText(blocker, "a file where the figures folder should go");
        var (code, _, stderr) = Run("plot", SweepDir, "--figure", "depth", "--format", "svg", "--out", Path.Combine(blocker, "sub"));
        Assert.That(code, Is.EqualTo(CliApp.ExitBadInput), stderr);
        Assert.That(stderr.TrimEnd('\r', '\n'), Does.Not.Contain("\n"));
    }

    [Test]
    public void PlotWritesFiguresAndTheirDataIntoTheOutputDirectory()
    {
        var outDir = NewDir("cli-ok");
        var (code, stdout, stderr) = Run("plot", SweepDir, "--figure", "depth,gradients", "--format", "svg,png", "--size", "single", "--out", outDir);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        var expected = new[] { "depth.svg", "depth.png", "depth.csv", "gradients.svg", "gradients.png", "gradients.csv", "gradients-layers.svg", "gradients-layers.png", "gradients-layers.csv" };
        Assert.That(Directory.GetFiles(outDir).Select(Path.GetFileName), Is.EquivalentTo(expected));
        Assert.That(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(expected.Length), "one written path per line");
    }
}

using StabilityLab.Cli;
using StabilityLab.Sweeps;

namespace StabilityLab.Tests.Sweeps;

/// <summary>The stability study as a library type: the `sweep` command is a thin layer over it (same files).</summary>
[TestFixture]
public sealed class StabilityStudyTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Path.Combine(Path.GetTempPath(), "sl-stability-study-" + Guid.NewGuid().ToString("N"));

    [TearDown]
    public void TearDown()
    {
        if (Directory.Exists(_root)) Directory.Delete(_root, recursive: true);
    }

    [Test]
    public void TheCommandWritesWhatTheStudyWrites()
    {
        var spec = new SweepSpec { Widths = [8], Depths = [2, 4], Trials = 20, Seed = 3 };
        long done = 0;
        var result = StabilityStudy.Run(spec, Path.Combine(_root, "study"), threads: 1, ShardSpec.Whole, resume: false, progress: n => Interlocked.Add(ref done, n));
        var (code, _, stderr) = CliHarness.Run("sweep", "--width", "8", "--depth", "2,4", "--trials", "20", "--seed", "3", "--threads", "1",
            "--out", Path.Combine(_root, "cli"));
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), stderr);
        Assert.Multiple(() =>
        {
            Assert.That(result.Interrupted, Is.False);
            Assert.That(result.Summary!.CellsInRun, Is.EqualTo(spec.Cells().Count));
            Assert.That(done, Is.EqualTo(StabilityStudy.Work(spec, ShardSpec.Whole)), "progress adds up to the work");
            Assert.That(File.ReadAllText(Path.Combine(_root, "cli", SweepRunner.CellsFile)),
                Is.EqualTo(File.ReadAllText(Path.Combine(_root, "study", SweepRunner.CellsFile))));
            Assert.That(stderr, Does.Contain(result.Report[..result.Report.IndexOf(" in ", StringComparison.Ordinal)]));
        });
    }
}

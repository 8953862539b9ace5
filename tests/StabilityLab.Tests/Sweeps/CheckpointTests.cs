using StabilityLab.Cli;
using StabilityLab.Statistics;
using StabilityLab.Sweeps;
using StabilityLab.Tables;

namespace StabilityLab.Tests.Sweeps;

/// <summary>Sealed checkpoints (a damaged one is recomputed, not trusted) and cells whose trials died.</summary>
public class CheckpointTests
{
    private string _root = "";

    [SetUp]
    public void SetUp() => _root = Directory.CreateTempSubdirectory("checkpoint-test-").FullName;

    [TearDown]
    public void TearDown() => Directory.Delete(_root, recursive: true);

    private string Dir(string name) => Path.Combine(_root, name);

    private static readonly string[] OutputFiles = [SweepRunner.CellsFile, SweepRunner.TracesFile, SweepRunner.RawFile];

    private static void AssertSameOutputs(string expectedDir, string actualDir)
    {
        foreach (var f in OutputFiles)
            Assert.That(File.ReadAllBytes(Path.Combine(actualDir, f)), Is.EqualTo(File.ReadAllBytes(Path.Combine(expectedDir, f))), f);
    }

    /// <summary>Runs <paramref name="spec"/> into DIR/cut and stops it about half way; gives the cells kept.</summary>
    private string[] Interrupted(SweepSpec spec)
    {
        using var cts = new CancellationTokenSource();
        long done = 0, stopAt = SweepRunner.TotalTrialLayers(spec, ShardSpec.Whole) / 2;
        Assert.Throws<OperationCanceledException>(() => SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Threads: 1,
            Progress: n => { if (Interlocked.Add(ref done, n) >= stopAt) cts.Cancel(); }, Cancel: cts.Token)));
        return Directory.GetFiles(Path.Combine(Dir("cut"), ".partial"), "cell-???????.csv").Order(StringComparer.Ordinal).ToArray();
    }

    [Test]
    public void DamagedCheckpointsAreRecomputedAndTheResultEqualsAnUninterruptedRun()
    {
        var spec = SweepTests.SmallSpec();
        SweepRunner.Run(spec, new SweepRunOptions(Dir("whole")));
        var kept = Interrupted(spec);
        Assert.That(kept, Has.Length.GreaterThanOrEqualTo(3));
        // One row edited (a digit changed), one raw part truncated, one seal damaged.
        var row = File.ReadAllText(kept[0]);
        int digit = row.IndexOfAny("123456789".ToCharArray(), row.IndexOf("exact", StringComparison.Ordinal));
        File.WriteAllText(kept[0], row[..digit] + (row[digit] == '9' ? '8' : (char)(row[digit] + 1)) + row[(digit + 1)..]);
        var raw = kept[1].Replace(".csv", ".raw.csv", StringComparison.Ordinal);
        File.WriteAllText(raw, File.ReadAllText(raw)[..40]);
        var seal = kept[2].Replace(".csv", SweepCheckpoint.SealSuffix, StringComparison.Ordinal);
        File.AppendAllText(seal, "x");
        var notes = new List<string>();
        var resumed = SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Resume: true, Note: notes.Add));
        Assert.That(notes, Has.Count.EqualTo(3), string.Join("\n", notes));
        Assert.That(notes, Has.All.Contains("damaged").And.All.Contains("recomputing"));
        Assert.That(resumed.CellsResumed, Is.EqualTo(kept.Length - 3));
        AssertSameOutputs(Dir("whole"), Dir("cut"));
    }

    [Test]
    public void CellsWhoseTrialsDiedAreWrittenWithoutStatisticsAndTheSweepAndResumeGoOn()
    {
        // At τ = 10 and depth 100 a width-1 or width-2 ReLU network nearly always has a layer exactly zero.
        var spec = new SweepSpec
        {
            Widths = [1, 2, 64], Depths = [100], Taus = [new TauGridEntry("10")], Trials = 20, Seed = 4, Raw = true, TraceDepths = [100],
        };
        SweepRunner.Run(spec, new SweepRunOptions(Dir("whole")));
        var rows = CellsTable.Read(Path.Combine(Dir("whole"), SweepRunner.CellsFile));
        Assert.That(rows, Has.Count.EqualTo(3));
        var dead = rows.Where(r => r.Status == CellStatistics.TooFewLive).ToList();
        Assert.That(dead, Is.Not.Empty, "width 1 at depth 100 loses its trials");
        foreach (var r in dead)
        {
            Assert.That(r.Trials - r.DeadTrials, Is.LessThan(CellStatistics.MinLiveTrials));
            Assert.That(new[] { r.FwdLogSqMean, r.FwdLogSqSd, r.FwdLogMeanSq, r.FwdLogMeanSqLo, r.FwdLogMeanSqHi, r.BlowupFrac }, Has.All.NaN,
                "no statistic, not sd = 0 or a zero-width interval");
            Assert.That(r.FwdLogMeanSqOk, Is.False);
        }
        var live = rows.Single(r => r.Width == 64);
        Assert.That(live.Status, Is.EqualTo(CellStatistics.Measured));
        Assert.That(double.IsFinite(live.FwdLogSqSd) && live.FwdLogSqSd > 0, Is.True);

        var kept = Interrupted(spec);
        Assert.That(kept, Is.Not.Empty);
        SweepRunner.Run(spec, new SweepRunOptions(Dir("cut"), Resume: true, Note: n => Assert.Fail(n)));
        AssertSameOutputs(Dir("whole"), Dir("cut"));
    }

    [Test]
    public void TheTauThousandFirstMomentCellCarriesAnHonestIntervalOrSaysItIsNotEstimable()
    {
        var dir = Dir("tau1000");
        var (code, _, err) = CliHarness.Run(["sweep", "--out", dir, "--width", "64", "--depth", "1000", "--tau", "1000", "--trials", "300"]);
        Assert.That(code, Is.EqualTo(CliApp.ExitOk), err);
        var cell = CellsTable.Read(Path.Combine(dir, SweepRunner.CellsFile)).Single();
        Assert.That(cell.FwdLogMeanSqOk, Is.EqualTo(cell.FwdLogMeanSqMethod != MeanRatio.NotEstimable));
        Assert.That(double.IsFinite(cell.FwdLogMeanSq), Is.True, "the point estimate is always there");
        double lower = 1000 * Math.Log(1 + 1000.0 * 1000.0); // L·log(1 + τ²), docs/science.md §3
        if (cell.FwdLogMeanSqOk)
            Assert.That(lower, Is.InRange(cell.FwdLogMeanSqLo, cell.FwdLogMeanSqHi), "an interval said to be trusted holds the exact lower bound");
        else
            Assert.That(double.IsNaN(cell.FwdLogMeanSqLo) && double.IsNaN(cell.FwdLogMeanSqHi), Is.True);
        (code, _, err) = CliHarness.Run(["verify", dir, "--bound", "first-moment"]);
        Assert.That(code, Is.Not.EqualTo(CliApp.ExitContradiction), err);
    }
}

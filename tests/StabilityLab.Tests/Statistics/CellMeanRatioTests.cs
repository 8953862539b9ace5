using StabilityLab.Models;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Tables;

namespace StabilityLab.Tests.Statistics;

/// <summary>cells.csv's mean-ratio columns come from <see cref="MeanRatio"/>, and a cell with one live trial has no statistics.</summary>
public class CellMeanRatioTests
{
    private static CellResult Cell(CellStatistics s) => new(new NetworkSpec(8, 4, TauRule.Constant(0.5)), "exact", 1, s.Trials + s.DeadTrials, s);

    private static CellRow RoundTrip(CellResult c) => CellsTable.Parse(CsvTable.Parse(CellsTable.Header() + "\n" + CellsTable.Row(c) + "\n")).Single();

    [Test]
    public void TheIntervalColumnsAreTheEstimatorsAndRoundTrip()
    {
        // Gaussian log ratios (normal quantiles on a grid): the log-normal branch.
        var x = Enumerable.Range(0, 400).Select(i => MathNet.Numerics.Distributions.Normal.InvCDF(1, 0.8, (i + 0.5) / 400)).ToArray();
        var s = CellStatistics.Compute(x.Select(v => new TrialSummary(v, v, 0, false)).ToList());
        var e = MeanRatio.Estimate(x);
        Assert.That((s.FwdLogMeanSq, s.FwdLogMeanSqLo, s.FwdLogMeanSqHi), Is.EqualTo((e.Estimate!.Value, e.Lo!.Value, e.Hi!.Value)));
        Assert.That((s.FwdLogMeanSqMethod, s.FwdLogMeanSqOk), Is.EqualTo((MeanRatio.LogNormal, true)));
        var row = RoundTrip(Cell(s));
        Assert.That((row.FwdLogMeanSq, row.FwdLogMeanSqLo, row.FwdLogMeanSqHi, row.FwdRatioKhat), Is.EqualTo((s.FwdLogMeanSq, s.FwdLogMeanSqLo, s.FwdLogMeanSqHi, s.FwdRatioKhat)));
        Assert.That((row.FwdLogMeanSqOk, row.FwdLogMeanSqMethod, row.Status), Is.EqualTo((true, MeanRatio.LogNormal, CellStatistics.Measured)));
    }

    [Test]
    public void NotEstimableKeepsTheLogMeanExpAndLeavesTheIntervalEmpty()
    {
        // x = −log U on a grid: exp(x) is Pareto with k = 1, whose mean does not exist.
        var x = Enumerable.Range(0, 1000).Select(i => -Math.Log((i + 0.5) / 1000)).ToArray();
        var s = CellStatistics.Compute(x.Select(v => new TrialSummary(v, v, 0, false)).ToList());
        Assert.That((s.FwdLogMeanSqMethod, s.FwdLogMeanSqOk), Is.EqualTo((MeanRatio.NotEstimable, false)));
        Assert.That(s.FwdLogMeanSq, Is.EqualTo(LogSumExp.LogMeanExp(x)));
        var fields = CellsTable.Row(Cell(s)).Split(',');
        int lo = CellsTable.Names.ToList().IndexOf("fwd_log_mean_sq_lo"), ok = CellsTable.Names.ToList().IndexOf("fwd_log_mean_sq_ok");
        Assert.That((fields[lo], fields[lo + 1], fields[ok]), Is.EqualTo(("", "", "0")));
        var row = RoundTrip(Cell(s));
        Assert.That(double.IsNaN(row.FwdLogMeanSqLo) && double.IsNaN(row.FwdLogMeanSqHi) && !row.FwdLogMeanSqOk, Is.True);
        Assert.That(row.FwdLogMeanSq, Is.EqualTo(s.FwdLogMeanSq));
    }

    [Test]
    public void OneLiveTrialGivesNoStatisticsNotAZeroSd()
    {
        List<TrialSummary> trials = [new(1.0, 1.0, 0.5, false), .. Enumerable.Repeat(new TrialSummary(double.NaN, double.NaN, double.NaN, true), 9)];
        var s = CellStatistics.Compute(trials);
        Assert.That(s.HasStatistics, Is.False);
        Assert.That((s.Trials, s.DeadTrials, s.Status), Is.EqualTo((1, 9, CellStatistics.TooFewLive)));
        Assert.That(s.FwdLogSqSd, Is.NaN);
        var row = RoundTrip(Cell(s));
        Assert.That((row.Status, row.DeadTrials, row.FwdLogMeanSqOk), Is.EqualTo((CellStatistics.TooFewLive, 9, false)));
        Assert.That(new[] { row.FwdLogSqSd, row.FwdLogMeanSq, row.FwdLogMeanSqLo, row.BlowupFrac }, Has.All.NaN);
        Assert.That(CellsTable.Json(Cell(s)), Does.Contain("\"fwd_log_sq_sd\": null"));
    }
}

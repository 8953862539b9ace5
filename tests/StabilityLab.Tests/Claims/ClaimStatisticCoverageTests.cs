using MathNet.Numerics.Distributions;
using StabilityLab.Claims;
using StabilityLab.Models;
using StabilityLab.Tables;
using StabilityLab.Tests.Statistics;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// Coverage of the per-cell intervals the claim kinds weight their fits with (value ± 1.96·SE of
/// <see cref="ClaimMeasurement.Point"/>): Gaussian trials with a known quantile, 1000 replications, held to 95% within
/// 4 binomial SE (docs/statistics.md "Coverage of every interval").
/// </summary>
public class ClaimStatisticCoverageTests
{
    private static readonly CellRow Cell = new(BlockKind.Post, Activation.Relu, 32, 16, 0.25, 0, "exact", "1", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        TauRule.Parse("1/sqrt(L)"));

    [TestCase(Statistic.MeanLog, 100)]
    [TestCase(Statistic.Median, 100)]
    [TestCase(Statistic.Q95, 500)]
    [TestCase(Statistic.Q05, 500)]
    public void TheIntervalOfAStatisticCoversItsTruth(Statistic s, int n)
    {
        const int replications = 1000;
        double truth = s switch { Statistic.MeanLog or Statistic.Median => 0, Statistic.Q95 => Normal.InvCDF(0, 1, 0.95), _ => Normal.InvCDF(0, 1, 0.05) };
        int covered = 0;
        for (int r = 0; r < replications; r++)
        {
            var x = Coverage.Normals(0xC0 + (ulong)s, r, n);
            var p = ClaimMeasurement.Point(s, Cell with { Trials = n }, x);
            if (Math.Abs(p.Value - truth) <= 1.96 * p.Se) covered++;
        }
        var tally = new Coverage.Tally(replications, replications, covered);
        TestContext.Out.WriteLine($"{s.Name()} ± 1.96 SE, n = {n}: {tally}, rate {tally.Rate:P1}");
        Assert.That(Math.Abs(tally.Rate - 0.95), Is.LessThanOrEqualTo(tally.Tolerance(0.95)), $"coverage {tally.Rate:P1}");
    }

    [Test]
    public void TooFewTrialsForAQuantileGiveNoNumber()
    {
        var p = ClaimMeasurement.Point(Statistic.Q95, Cell with { Trials = 20 }, Coverage.Normals(0xC9, 0, 20));
        Assert.That(p.Usable, Is.False);
        Assert.That(p.Excluded, Does.Contain("too few"));
    }
}

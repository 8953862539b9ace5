using StabilityLab.Statistics;

namespace StabilityLab.Tests.Statistics;

/// <summary>
/// Coverage as a property: over replications with a known log E[r], the intervals MeanRatio reports cover the
/// truth at their nominal 95% within 4 binomial standard errors; flagged replications (Ok = false) are counted
/// apart and never as covered. docs/statistics.md has the measured table.
/// </summary>
public class MeanRatioCoverageTests
{
    private const int N = 500, Replications = 400;
    private const double Level = 0.95;

    [TestCase(0.1)]
    [TestCase(1.0)]
    [TestCase(2.0)]
    [TestCase(4.0)]
    [TestCase(7.0)]
    public void GaussianLogRatios_ReportedIntervalsHaveNominalCoverage(double sigma)
    {
        const double mu = 1;
        var tally = Coverage.Count(Replications, r => Coverage.Gaussian(mu, sigma, r, N), Coverage.Reported, mu + sigma * sigma / 2);
        TestContext.Out.WriteLine($"σ = {sigma}: {tally}");
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1} of {tally.Reported} reported");
        // Gaussian log ratios are estimable at any σ: only the normality test's false rejections may be flagged.
        double maxFlagged = MeanRatio.NormalityAlpha + 4 * Math.Sqrt(MeanRatio.NormalityAlpha * (1 - MeanRatio.NormalityAlpha) / Replications);
        Assert.That(tally.Flagged / (double)Replications, Is.LessThanOrEqualTo(maxFlagged), $"{tally.Flagged} flagged");
    }

    [Test]
    public void SkewedMixture_FallsBackFromTheWrongLogNormalToTheSampleMean()
    {
        // 0.9 N(0, 0.5²) + 0.1 N(2, 0.5²): light-tailed ratios (k̂ ≈ 0.1), but not a Gaussian log ratio,
        // so the log-normal formula is biased by several of its standard errors.
        var (_, sample, truth) = Mixtures.Cases(N).First();
        var methods = Enumerable.Range(0, Replications).Select(r => MeanRatio.Estimate(sample(r)).Method).ToArray();
        Assert.That(methods.Count(m => m == MeanRatio.LogNormal), Is.Zero, "the normality test should reject every replication");
        var logNormalAlone = Coverage.Count(Replications, sample, x => Pair(MeanRatio.LogNormalInterval(x)), truth);
        Assert.That(logNormalAlone.Rate, Is.LessThan(Level - logNormalAlone.Tolerance(Level)), "the log-normal interval should fail here");
        var tally = Coverage.Count(Replications, sample, Coverage.Reported, truth);
        TestContext.Out.WriteLine($"{tally}; log-normal alone {logNormalAlone.Rate:P1}");
        Assert.That(methods.Count(m => m == MeanRatio.SampleMean), Is.EqualTo(tally.Reported));
        Assert.That(tally.Reported, Is.GreaterThan(Replications / 2));
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1} of {tally.Reported} reported");
    }

    [Test]
    public void HeavyTailedLogRatios_WithInfiniteMean_AreFlaggedWithinTheErrorBudget()
    {
        // Student-t₃ log ratios: E[exp(x)] = ∞, so every finite interval is wrong. No finite sample proves a
        // mean infinite (k̂ is itself an estimate), so the estimator may miss it, but no more often than the
        // interval's own error budget 1 − level.
        var es = Enumerable.Range(0, Replications).Select(r => MeanRatio.Estimate(KhatCases.StudentT3(1, N, r))).ToArray();
        foreach (var e in es.Where(e => e.Ok)) TestContext.Out.WriteLine(e);
        Assert.That(es.Count(e => e.Method == MeanRatio.LogNormal), Is.Zero, "the normality test should reject every replication");
        Assert.That(es.Count(e => e.Ok) / (double)Replications, Is.LessThanOrEqualTo(1 - Level));
    }

    private static (double, double)? Pair((double Estimate, double Lo, double Hi) ci) => (ci.Lo, ci.Hi);
}

using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Training;

/// <summary>The linear-rate fit and the depth verdicts on curves and runs whose answer is known.</summary>
[TestFixture]
public sealed class RateFitTests
{
    private static List<CurvePoint> Curve(int steps, Func<int, double> loss) =>
        Enumerable.Range(0, steps + 1).Select(t => new CurvePoint(t, loss(t), loss(t), null, null, null)).ToList();

    [Test]
    public void AnExactExponentialGivesItsRateOverTheSecondHalf()
    {
        // A fast transient that is gone by step 50, then F = 3 e^{−0.02 t}.
        var curve = Curve(200, t => 3 * Math.Exp(-0.02 * t) + (t < 50 ? 5 * Math.Exp(-0.3 * t) : 0));
        var fit = RateFit.Fit(curve)!;
        Assert.Multiple(() =>
        {
            Assert.That(fit.Rate, Is.EqualTo(0.02).Within(1e-12));
            Assert.That(fit.FirstStep, Is.EqualTo(100));
            Assert.That(fit.LastStep, Is.EqualTo(200));
            Assert.That(fit.Points, Is.EqualTo(101));
            Assert.That(fit.Upper - fit.Lower, Is.LessThan(1e-9));
            Assert.That(fit.RSquared, Is.EqualTo(1).Within(1e-12));
        });
    }

    [Test]
    public void TheIntervalCoversTheTrueRateForNoisyCurves()
    {
        var rng = new System.Random(1);
        int covered = 0, trials = 400;
        for (int k = 0; k < trials; k++)
        {
            var curve = Curve(60, t => Math.Exp(-0.05 * t + 0.1 * Normal(rng)));
            var fit = RateFit.Fit(curve)!;
            if (fit.Lower <= 0.05 && 0.05 <= fit.Upper) covered++;
        }
        // 95% nominal; binomial sd over 400 trials ≈ 1.1%.
        Assert.That(covered / (double)trials, Is.InRange(0.91, 0.99));
    }

    [Test]
    public void NoRateWithoutThreeRowsOrWithANonPositiveLoss()
    {
        Assert.That(RateFit.Fit(Curve(2, t => 1.0 / (t + 1))), Is.Null);
        Assert.That(RateFit.Fit(Curve(10, t => t == 8 ? 0 : 1.0)), Is.Null);
        Assert.That(RateFit.Fit([]), Is.Null);
    }

    private static double Normal(System.Random r) => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble());

    private static SweepRun Run(int depth, string tau, ulong seed, double? rate, TrainingOutcome outcome = TrainingOutcome.Completed, double final = 1e-3) =>
        new(SweepRun.MakeId(depth, tau, seed, 1e-4), depth, tau, 1, seed, 1e-4, outcome, 100, outcome == TrainingOutcome.Diverged ? 3 : null,
            1.0, outcome == TrainingOutcome.Diverged ? double.NaN : final,
            rate is null ? null : new RateEstimate(rate.Value, rate.Value * 0.99, rate.Value * 1.01, 50, 100, 51, 0.99),
            null, null, 0.5, 1);

    [Test]
    public void ADepthIndependentRatePassesAndAFallingRateFails()
    {
        var flat = new[] { 4, 16, 64, 256 }.SelectMany(L => new[] { 1UL, 2UL }.Select(s => Run(L, "1/sqrt(L)", s, 0.02 + 0.001 * (int)s))).ToList();
        var t = DepthVerdicts.Analyze(flat).Single();
        Assert.Multiple(() =>
        {
            Assert.That(t.RateHoldsWithDepth, Is.True);
            Assert.That(t.DeepToShallowRatio, Is.EqualTo(1).Within(1e-12));
            Assert.That(t.Slope, Is.EqualTo(0).Within(1e-12));
            Assert.That(t.SlopeContainsZero, Is.True);
            Assert.That(t.DeepRunsFail, Is.False);
            Assert.That(t.Depths.Select(d => d.MeanRate), Is.EqualTo(new double?[] { 0.0215, 0.0215, 0.0215, 0.0215 }).Within(1e-12));
            Assert.That(t.Depths[0].RateLower, Is.LessThan(0.0215));
        });

        var falling = new[] { 4, 16, 64, 256 }.Select(L => Run(L, "1/L", 1, 0.08 / Math.Sqrt(L))).ToList();
        var f = DepthVerdicts.Analyze(falling).Single();
        Assert.That(f.RateHoldsWithDepth, Is.False, "rate(256)/rate(4) = 1/8 < 0.5");
        Assert.That(f.DeepToShallowRatio, Is.EqualTo(0.125).Within(1e-12));
        Assert.That(f.Slope, Is.LessThan(0));
    }

    // Per-seed rates at one depth drawn with a known mean: Gaussian, and log-normal with a heavy right skew (sd of log 0.8),
    // 5 seeds. The t-interval over seeds is exact for the first; the second shows what skew does at small n.
    [TestCase(false, 5)]
    [TestCase(true, 5)]
    [TestCase(false, 2)]
    public void MeanRateInterval_OverSeeds_CoversTheTrueMean(bool skewed, int seeds)
    {
        const int replications = 1000;
        const double mu = 0.02;
        int covered = 0;
        for (int r = 0; r < replications; r++)
        {
            var z = Statistics.Coverage.Normals(0x7C0 + (skewed ? 1UL : 0) + (ulong)seeds * 2, r, seeds);
            var rates = z.Select(v => skewed ? mu * Math.Exp(0.8 * v - 0.32) : mu + 0.003 * v).ToArray();
            var d = DepthVerdicts.Analyze(rates.Select((x, j) => Run(16, "1/sqrt(L)", (ulong)j + 1, x)).ToList()).Single().Depths.Single();
            if (d.RateLower <= mu && mu <= d.RateUpper) covered++;
        }
        var tally = new Statistics.Coverage.Tally(replications, replications, covered);
        TestContext.Out.WriteLine($"mean rate over {seeds} seeds (t, n − 1), {(skewed ? "log-normal, sd of log 0.8" : "Gaussian")}: {tally}, rate {tally.Rate:P1}");
        if (skewed) Assert.That(tally.Rate, Is.LessThan(0.95 - tally.Tolerance(0.95)), "with heavy skew at n = 5 the t-interval is known to under-cover; docs/statistics.md says so");
        else Assert.That(Math.Abs(tally.Rate - 0.95), Is.LessThanOrEqualTo(tally.Tolerance(0.95)), $"coverage {tally.Rate:P1}");
    }

    [Test]
    public void OneSeedGivesNoSamplingInterval()
    {
        var d = DepthVerdicts.Analyze([Run(16, "1/sqrt(L)", 1, 0.02)]).Single().Depths.Single();
        Assert.That(d.MeanRate, Is.EqualTo(0.02));
        Assert.That(d.RateLower, Is.Null, "a single curve's fit precision is not an interval over draws");
        Assert.That(d.RateUpper, Is.Null);
    }

    [Test]
    public void DivergingOrStallingDeepRunsAreDetected()
    {
        var runs = new List<SweepRun>
        {
            Run(4, "1", 1, 0.03),
            Run(16, "1", 1, 1e-4, final: 0.9), // stalled: F_T > 0.5 F_0
            Run(64, "1", 1, null, TrainingOutcome.Diverged),
            Run(256, "1", 1, null, TrainingOutcome.Diverged),
        };
        var t = DepthVerdicts.Analyze(runs).Single();
        Assert.Multiple(() =>
        {
            Assert.That(t.DeepRunsFail, Is.True);
            Assert.That(t.FailsFromDepth, Is.EqualTo(16));
            Assert.That(t.RateHoldsWithDepth, Is.False);
            Assert.That(t.Depths.Select(d => d.Diverged), Is.EqualTo(new[] { 0, 0, 1, 1 }));
            Assert.That(t.Depths.Select(d => d.Stalled), Is.EqualTo(new[] { 0, 1, 0, 0 }));
        });
    }
}

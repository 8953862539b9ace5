using StabilityLab.Fitting;
using StabilityLab.Models;
using StabilityLab.Tests.Statistics;

namespace StabilityLab.Tests.Fitting;

/// <summary>
/// Coverage of the fit intervals as a property (issue 12): simulations with a known truth, each 95% interval counted
/// over replications and held to 95% within 4 binomial standard errors (<see cref="Coverage.Tally.Tolerance"/>).
/// docs/statistics.md "Coverage of every interval" has the measured numbers (run with
/// --filter "FullyQualifiedName~IntervalCoverageTests" --logger "console;verbosity=detailed").
/// </summary>
public class IntervalCoverageTests
{
    private const double Level = 0.95;

    // Threshold groups: x_i(τ) = L·τ²·exp(s·z_i) with z_i common across τ (the trials are aligned across τ, as in a
    // sweep). The median over trials is L·τ²·exp(s·median z) exactly for an odd trial count, so log median is linear in
    // log τ and the crossing's log–log interpolation is exact; the population median L·τ² crosses 2 log K at
    // τ* = √(2 log K / L), i.e. τ* ∝ L^(−1/2).
    private const int ThresholdReplications = 300;
    private static readonly double BlowupLevel = 10, CrossingLevel = 2 * Math.Log(BlowupLevel);

    private static double TrueTauStar(int depth) => Math.Sqrt(CrossingLevel / depth);

    private static ThresholdGroup Group(int depth, double s, int trials, int replication)
    {
        var z = Coverage.Normals(0x7A0 + (ulong)depth + ((ulong)trials << 16), replication, trials);
        double center = TrueTauStar(depth);
        var taus = Enumerable.Range(-4, 9).Select(k => center * Math.Pow(1.25, k + 0.37)).ToArray(); // truth off the grid points
        var values = taus.Select(t => z.Select(zi => depth * t * t * Math.Exp(s * zi)).ToArray()).ToArray();
        return new ThresholdGroup(BlockKind.Post, 64, depth, taus, values);
    }

    // The noise scale s cancels (the crossing and its bootstrap are monotone in the median of z), so the cases vary the
    // trial count, which sets how discrete the bootstrap distribution of a median is.
    [TestCase(25)]
    [TestCase(65)]
    public void ThresholdBootstrapInterval_CoversTheTrueMedianCrossing(int trials)
    {
        const int depth = 16;
        int flagged = 0, covered = 0;
        for (int r = 0; r < ThresholdReplications; r++)
        {
            var e = ThresholdFit.Estimate(Group(depth, 1.0, trials, r), BlowupLevel, resamples: 400, seed: (ulong)r + 1);
            if (e is null) { flagged++; continue; }
            if (e.Lo <= TrueTauStar(depth) && TrueTauStar(depth) <= e.Hi) covered++;
        }
        var tally = new Coverage.Tally(ThresholdReplications, ThresholdReplications - flagged, covered);
        TestContext.Out.WriteLine($"threshold τ* percentile bootstrap, n = {trials} trials: {tally}, rate {tally.Rate:P1}");
        Assert.That(tally.Flagged, Is.Zero, "the truth sits mid-grid: every replication should give an estimate");
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    // Blow-up fractions with trials aligned across τ, as in a sweep: trial j blows up at τ iff τ > t_j, with log t_j
    // normal around log τ* (spread s), so the fraction is monotone in τ and its population median crossing is τ* = 1.
    // s = 0.3: a smooth curve over the 9-point grid (ratio 1.25); s = 0.02: the fraction jumps from 0 to 1 between two
    // grid points, where a delta-method interval on the interpolated slope shrinks to nothing.
    [TestCase(0.3, 50)]
    [TestCase(0.3, 400)]
    [TestCase(0.02, 200)]
    public void BlowupFractionInterval_CoversTheTrueCrossing(double spread, int trials)
    {
        int flagged = 0, covered = 0;
        var steps = new List<double>();
        for (int r = 0; r < ThresholdReplications; r++)
        {
            var z = Coverage.Normals(0x7B0 + (ulong)trials + (ulong)(spread * 1000) * 7919, r, trials);
            var taus = Enumerable.Range(-4, 9).Select(k => Math.Pow(1.25, k + 0.37)).ToArray();
            var blowups = taus.Select(t => z.Count(zj => Math.Log(t) > spread * zj)).ToArray();
            var e = BlowupFractionThreshold.Estimate(taus, blowups, taus.Select(_ => trials).ToArray());
            if (e is null) { flagged++; continue; }
            if (e.Value.Lo <= 1 && 1 <= e.Value.Hi) covered++;
            steps.Add(Math.Log(e.Value.Hi / e.Value.Lo) / Math.Log(1.25));
        }
        var tally = new Coverage.Tally(ThresholdReplications, ThresholdReplications - flagged, covered);
        TestContext.Out.WriteLine($"τ* from blow-up fractions (grid bracket), spread {spread}, n = {trials}: {tally}, rate {tally.Rate:P1}, median width {MathNet.Numerics.Statistics.Statistics.Median(steps)} grid steps");
        Assert.That(tally.Flagged, Is.Zero, "the truth sits mid-grid: every replication should give an estimate");
        Assert.That(tally.Rate, Is.GreaterThanOrEqualTo(Level - tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
        // A bracket is at least one grid step wide; it must not be wider than the binomial noise makes it: where the
        // neighbours of τ* are far from 1/2 relative to √(1/4n), one step.
        if (trials >= 200) Assert.That(MathNet.Numerics.Statistics.Statistics.Median(steps), Is.EqualTo(1).Within(1e-9), "median width in grid steps");
    }

    [Test]
    public void ThresholdLawInterval_CoversAlphaMinusOneHalf()
    {
        // End to end: per-depth τ* with its bootstrap SE, then the weighted log–log law; the truth is α = −1/2 exactly.
        int[] depths = [4, 8, 16, 32, 64];
        const int replications = 150;
        int reported = 0, covered = 0;
        for (int r = 0; r < replications; r++)
        {
            var ests = depths.Select(d => ThresholdFit.Estimate(Group(d, 1.0, 65, r), BlowupLevel, resamples: 200, seed: (ulong)r + 1)).ToList();
            if (ests.Any(e => e is null)) continue;
            var law = ThresholdFit.Law(ests!);
            if (law is null) continue;
            reported++;
            if (law.Line.SlopeIntervalContains(-0.5)) covered++;
        }
        var tally = new Coverage.Tally(replications, reported, covered);
        TestContext.Out.WriteLine($"threshold law α (t, n − 2 df, √χ²_red inflation), depths {string.Join(",", depths)}: {tally}, rate {tally.Rate:P1}");
        Assert.That(tally.Flagged, Is.Zero);
        Assert.That(tally.Rate, Is.GreaterThanOrEqualTo(Level - tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    // Slope fits: y_i = a + b·log L_i + c·se_i·ε_i at the depths of a sweep, with stated errors se_i. c = 1: the errors
    // are right; c = 3: extra scatter the stated errors miss, which the √χ²_red inflation must absorb.
    private const int SlopeReplications = 1000;
    private static readonly int[] Depths = [4, 8, 16, 32, 64, 128];
    private static readonly double[] Se = [0.02, 0.03, 0.03, 0.05, 0.08, 0.1];

    private static double[] Noisy(double intercept, double slope, double scatter, int replication, ulong key)
    {
        var z = Coverage.Normals(key, replication, Depths.Length);
        return Depths.Select((d, i) => intercept + slope * Math.Log(d) + scatter * Se[i] * z[i]).ToArray();
    }

    private static LineFit Line(double[] y) => WeightedLineFit.Fit(Depths.Select(d => Math.Log(d)).ToArray(), y, Se);

    [Test]
    public void WeightedLineSlopeInterval_WithRightErrors_NeverUnderCovers()
    {
        var tally = Count(SlopeReplications, r => Line(Noisy(0.3, 0.25, 1, r, 0x51)), 0.25);
        TestContext.Out.WriteLine($"weighted line slope, stated errors right: {tally}, rate {tally.Rate:P1}");
        // Known errors: the z interval would be exact; t with n − 2 df and the max(1, χ²_red) inflation only widen it.
        Assert.That(tally.Rate, Is.GreaterThanOrEqualTo(Level - tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    [Test]
    public void WeightedLineSlopeInterval_WithExtraScatter_IsRestoredByTheChiSquareInflation()
    {
        var tally = Count(SlopeReplications, r => Line(Noisy(0.3, 0.25, 3, r, 0x52)), 0.25);
        var uninflated = Count(SlopeReplications, r =>
        {
            var f = Line(Noisy(0.3, 0.25, 3, r, 0x52));
            double half = (f.SlopeHi - f.SlopeLo) / 2 / Math.Sqrt(Math.Max(1, f.ReducedChiSquare));
            return f with { SlopeLo = f.Slope - half, SlopeHi = f.Slope + half };
        }, 0.25);
        TestContext.Out.WriteLine($"weighted line slope, scatter 3× the stated errors: {tally}, rate {tally.Rate:P1}; without inflation {uninflated.Rate:P1}");
        Assert.That(uninflated.Rate, Is.LessThan(Level - uninflated.Tolerance(Level)), "the stated errors alone should under-cover here");
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    [TestCase(1.0)]
    [TestCase(3.0)]
    public void GrowthSlopeInterval_FromPerDepthIntervals_CoversTheTrueSlope(double scatter)
    {
        // log E ratio g(L) = 0.8·L^0.2 (slope 0.2 of log g on log L), each point measured with a 95% interval on the
        // natural scale, relative SE 5–12%: GrowthFit turns intervals into log-scale errors by the delta method.
        const double slope = 0.2;
        double[] rel = [0.05, 0.06, 0.07, 0.08, 0.1, 0.12];
        var tally = Count(SlopeReplications, r =>
        {
            var z = Coverage.Normals(0x53 + (ulong)(scatter * 10), r, Depths.Length);
            var pts = Depths.Select((d, i) =>
            {
                double g = 0.8 * Math.Pow(d, slope), sd = rel[i] * g;
                double y = g + scatter * sd * z[i];
                return new GrowthPoint(d, y, y - 1.96 * sd, y + 1.96 * sd);
            }).ToList();
            return GrowthFit.Slope(pts);
        }, slope);
        TestContext.Out.WriteLine($"growth slope (delta-method errors), scatter {scatter}×: {tally}, rate {tally.Rate:P1}");
        if (scatter > 1) Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
        else Assert.That(tally.Rate, Is.GreaterThanOrEqualTo(Level - tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    // The truth is the finite-width τ*(L; m = 512, K = 10) itself (docs/finite-width.md §7, α = −1/2 in the limit, with the
    // curvature of real thresholds at small L), at the paper's depths, with Gaussian noise of the paper-scale SE of ln τ*.
    private static readonly double[] ScalingDepths = [16, 32, 64, 128, 256, 512, 1024, 2048, 4096];
    private static readonly Lazy<double[]> ScalingTruth = new(() =>
        ScalingDepths.AsParallel().AsOrdered().Select(L => StabilityLab.Theory.ThresholdPrediction.TauStar((int)L, 512, 10)).ToArray());

    private static ThresholdScaling? ScalingFit(double se, int replication, int corrections)
    {
        var z = Coverage.Normals(0x54 + (ulong)(se * 1e4), replication, ScalingDepths.Length);
        var tau = ScalingTruth.Value.Select((t, i) => t * Math.Exp(se * z[i])).ToArray();
        return ThresholdScalingFit.Fit(ScalingDepths, tau, ScalingDepths.Select(_ => se).ToArray(), corrections);
    }

    [TestCase(0.0015)]
    [TestCase(0.003)]
    public void ThresholdScalingAlphaInterval_CoversTheTrueExponent(double se)
    {
        // The two-term fit `fit` reports must cover α = −1/2; the control, the same fit with only the leading correction,
        // must not (its truncation bias is several SE at this precision), nor the straight line.
        const int replications = 1000;
        var tallies = new[] { 2, 1, 0 }.Select(k =>
        {
            int reported = 0, covered = 0, excludesZero = 0;
            var widths = new List<double>();
            for (int r = 0; r < replications; r++)
            {
                if (ScalingFit(se, r, k) is not { } f) continue;
                reported++;
                widths.Add(f.AlphaHi - f.AlphaLo);
                if (f.AlphaHi < 0) excludesZero++;
                if (f.AlphaLo <= -0.5 && -0.5 <= f.AlphaHi) covered++;
            }
            var tally = new Coverage.Tally(replications, reported, covered);
            TestContext.Out.WriteLine($"threshold scaling α, {k} correction term(s), SE {se}: {tally}, rate {tally.Rate:P1}, median width {MathNet.Numerics.Statistics.Statistics.Median(widths):F4}, excludes α = 0 in {excludesZero}");
            return (tally, excludesZero);
        }).ToArray();
        var (two, twoPower) = tallies[0];
        Assert.That(two.Flagged, Is.Zero);
        Assert.That(two.Rate, Is.GreaterThanOrEqualTo(Level - two.Tolerance(Level)), $"coverage {two.Rate:P1}");
        // Coverage alone is met by [−∞, ∞]: the interval must also tell the truth from "τ* does not depend on L" (α = 0).
        Assert.That(twoPower / (double)two.Reported, Is.GreaterThanOrEqualTo(Level - two.Tolerance(Level)), "power against α = 0");
        Assert.That(tallies[1].tally.Rate, Is.LessThan(0.5), "one correction term is biased at this precision");
        Assert.That(tallies[2].tally.Rate, Is.LessThan(0.5), "the straight line is biased");
    }

    [TestCase(1.0, 1.0)]
    [TestCase(1.0, -1.0)]
    [TestCase(3.0, 1.0)]
    public void Tost_AtTrueSlopeOnTheMargin_FalselyPassesAtMostAlpha(double scatter, double sign)
    {
        // True slope = ±δ: equivalence is false, so a PASS (p ≤ α) is an error; its rate is the test's size.
        const double alpha = 0.05, margin = GrowthChecks.DefaultMargin;
        int passes = 0;
        for (int r = 0; r < SlopeReplications; r++)
        {
            var f = Line(Noisy(0.1, sign * margin, scatter, r, 0x55 + (ulong)(scatter * 10) + (sign > 0 ? 0UL : 100)));
            if (SlopeTests.Tost(f, margin, alpha).P <= alpha) passes++;
        }
        double rate = passes / (double)SlopeReplications, tol = 4 * Math.Sqrt(alpha * (1 - alpha) / SlopeReplications);
        TestContext.Out.WriteLine($"TOST size at slope {sign * margin:+0.0#;−0.0#}, scatter {scatter}×: {passes}/{SlopeReplications} = {rate:P1} false PASS");
        Assert.That(rate, Is.LessThanOrEqualTo(alpha + tol));
    }

    private static Coverage.Tally Count(int replications, Func<int, LineFit?> fit, double truth)
    {
        int reported = 0, covered = 0;
        for (int r = 0; r < replications; r++)
        {
            if (fit(r) is not { } f) continue;
            reported++;
            if (f.SlopeIntervalContains(truth)) covered++;
        }
        return new Coverage.Tally(replications, reported, covered);
    }
}

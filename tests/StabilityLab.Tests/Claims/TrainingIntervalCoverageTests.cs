using MathNet.Numerics.Distributions;
using StabilityLab.Tests.Statistics;
using StabilityLab.Torch.Claims;
using StabilityLab.Torch.Training;

namespace StabilityLab.Tests.Claims;

/// <summary>
/// Coverage of the training claims' intervals by simulation from a known model (issue 15), with the production code for
/// every interval and test: the within-seed slope of <see cref="SlopeBand"/> (rate-independent-of-depth) with the size of
/// its TOST and of its one-sided floor test at the margin, and the interval of <see cref="AccuracyComparison"/>
/// (accuracy-comparison), paired over seeds and test images, with the size of its non-inferiority test at the margin.
/// 4000 replications each; a 95% interval is held to 95% within 4 binomial SEs (±1.4 points), or above 95% − 4 SE where it
/// is conservative by design (the per-arm interval); a test's size at the margin to ≤ α + 4 SE. docs/statistics.md "Coverage of every interval"
/// has the measured numbers (run with --filter "FullyQualifiedName~TrainingIntervalCoverageTests" --logger "console;verbosity=detailed").
/// </summary>
public class TrainingIntervalCoverageTests
{
    private const int Replications = 4000;
    private const double Level = 0.95, Alpha = 0.05, Margin = 0.5;

    // ---- rate-independent-of-depth: rate_{s,L} = μ₄ + u_s + b·ln(L/4) + e_{s,L} ----
    // The scale of the quick report's claim-4 study (docs/claims.md §8): mean rate 0.037 at L = 4, a seed-to-seed spread
    // of the level of 0.006 (each seed is one data set and one weight draw at every depth) and a depth-to-depth scatter of
    // 0.005 within a seed, depths 4..64 ×2. The true margin δ* = margin·μ₄/ln(64/4); SlopeBand estimates it from the mean
    // at L = 4, as the claim does.
    private static readonly int[] Depths = [4, 8, 16, 32, 64];
    private const double Mu4 = 0.037, SeedSd = 0.006, ScatterSd = 0.005;
    private static double Span => Math.Log(64.0 / 4);
    private static double TrueDelta => Margin * Mu4 / Span;

    private static List<SweepRun> Rates(double slope, int seeds, int replication, ulong key)
    {
        var z = Coverage.Normals(key, replication, seeds * (Depths.Length + 1));
        var runs = new List<SweepRun>();
        for (int s = 0; s < seeds; s++)
        {
            double level = Mu4 + SeedSd * z[s * (Depths.Length + 1)];
            for (int j = 0; j < Depths.Length; j++)
            {
                double rate = level + slope * Math.Log(Depths[j] / 4.0) + ScatterSd * z[s * (Depths.Length + 1) + 1 + j];
                runs.Add(Run(Depths[j], (ulong)s + 1) with { Rate = new RateEstimate(rate, rate, rate, 0, 0, 0, 1) });
            }
        }
        return runs;
    }

    private static SlopeBand Band(List<SweepRun> runs) => SlopeBand.Equivalent("rate", runs, r => r.Rate!.Rate, 4, Margin, Span, Alpha);

    [Test]
    public void TheBandIsScaleFree()
    {
        // The test is on rate/μ₀: rates 1e-150 times smaller (τ = 1 at its largest stable step at the paper scale reaches
        // η ≈ 1e-102) give the same p-values and power, not a NaN degree of freedom.
        var runs = Rates(0.3 * TrueDelta, 5, 0, 0x15CA);
        var tiny = runs.Select(r => r with { Rate = r.Rate! with { Rate = r.Rate.Rate * 1e-150 } }).ToList();
        foreach (var (a, b) in new[]
                 {
                     (Band(runs), Band(tiny)),
                     (SlopeBand.NotFalling("r", runs, x => x.Rate!.Rate, 4, Margin, Span, Alpha), SlopeBand.NotFalling("r", tiny, x => x.Rate!.Rate, 4, Margin, Span, Alpha)),
                 })
            Assert.Multiple(() =>
            {
                Assert.That(b.P, Is.EqualTo(a.P).Within(1e-9));
                Assert.That(b.POutside, Is.EqualTo(a.POutside).Within(1e-9));
                Assert.That(b.Power, Is.EqualTo(a.Power).Within(1e-9));
            });
    }

    [TestCase(5)]
    [TestCase(3)]
    public void WithinSeedSlopeInterval_CoversTheTrueSlope(int seeds)
    {
        // The true slope off zero, so that a centred interval cannot cover by symmetry alone.
        double slope = 0.3 * TrueDelta;
        int covered = 0;
        double sum = 0;
        for (int r = 0; r < Replications; r++)
        {
            var line = Band(Rates(slope, seeds, r, 0x1500 + (ulong)seeds)).Line!;
            if (line.SlopeIntervalContains(slope)) covered++;
            sum += line.Slope;
        }
        var tally = new Coverage.Tally(Replications, Replications, covered);
        TestContext.Out.WriteLine($"within-seed slope 95% interval, {seeds} seeds × {Depths.Length} depths (df = {seeds * Depths.Length - seeds - 1}): {tally}, rate {tally.Rate:P1}, mean slope {sum / Replications:G4} (truth {slope:G4})");
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
    }

    [TestCase(5, 1)]
    [TestCase(5, -1)]
    [TestCase(3, 1)]
    [TestCase(3, -1)]
    public void SlopeBandTost_AtTrueSlopeOnTheMargin_PassesAtMostAlpha(int seeds, double sign)
    {
        // True slope = ±δ*: equivalence is false, so p ≤ α is a false PASS; its rate is the test's size. δ is estimated
        // from the data (the mean at the shallowest depth), so the size is the procedure's, not the textbook TOST's.
        int passes = 0;
        for (int r = 0; r < Replications; r++)
            if (Band(Rates(sign * TrueDelta, seeds, r, 0x1510 + (ulong)seeds + (sign > 0 ? 0UL : 8))).P <= Alpha) passes++;
        double rate = passes / (double)Replications, tol = 4 * Math.Sqrt(Alpha * (1 - Alpha) / Replications);
        TestContext.Out.WriteLine($"SlopeBand TOST size at slope {sign:+0;−0}δ*, {seeds} seeds: {passes}/{Replications} = {rate:P2} false PASS (limit {Alpha + tol:P2})");
        Assert.That(rate, Is.LessThanOrEqualTo(Alpha + tol));
    }

    [TestCase(5)]
    [TestCase(3)]
    public void SlopeBandFloor_AtTrueSlopeOnTheFloor_PassesAtMostAlpha(int seeds)
    {
        // λ_min(Θ) "not falling": H₀ slope ≤ −δ; at the true slope −δ* a rejection is a false PASS.
        int passes = 0;
        for (int r = 0; r < Replications; r++)
        {
            var runs = Rates(-TrueDelta, seeds, r, 0x1520 + (ulong)seeds);
            if (SlopeBand.NotFalling("λ", runs, x => x.Rate!.Rate, 4, Margin, Span, Alpha).P <= Alpha) passes++;
        }
        double rate = passes / (double)Replications, tol = 4 * Math.Sqrt(Alpha * (1 - Alpha) / Replications);
        TestContext.Out.WriteLine($"SlopeBand floor test size at slope −δ*, {seeds} seeds: {passes}/{Replications} = {rate:P2} false PASS (limit {Alpha + tol:P2})");
        Assert.That(rate, Is.LessThanOrEqualTo(Alpha + tol));
    }

    // ---- accuracy-comparison: image-level probit model ----
    // A test set of n images drawn from a population: image i has a difficulty u_i (shared by every network), and the
    // network of arm a at seed s answers it correctly iff β_a + σ_g·g_{a,s} + σ_u·u_i + ε_{a,s,i} > 0, all standard normal;
    // g_{a,s} = ρ·c_s + √(1 − ρ²)·h_{a,s} pairs the two arms at one seed (same data order and initial draws). The population
    // accuracy of arm a is μ_a = Φ(β_a/√(1 + σ_g² + σ_u²)); the claim is about μ_claim − μ_ref. Accuracies near the quick
    // report's (71–72%).
    private const int TestImages = 2000;
    private const double DifficultySd = 1.5, Rho = 0.5, MuRef = 0.72;

    private static double Beta(double mu, double seedSd) => Math.Sqrt(1 + seedSd * seedSd + DifficultySd * DifficultySd) * Normal.InvCDF(0, 1, mu);

    /// <summary>The two arms' runs at one depth (L = 8), k seeds, true difference <paramref name="difference"/>.</summary>
    private static (List<SweepRun> Claim, List<SweepRun> Reference) Accuracies(double difference, double seedSd, int seeds, int replication, ulong key)
    {
        int n = TestImages;
        var z = Coverage.Normals(key, replication, n + 3 * seeds + 2 * seeds * n);
        double[] beta = [Beta(MuRef + difference, seedSd), Beta(MuRef, seedSd)];
        var arms = new[] { new List<SweepRun>(), new List<SweepRun>() };
        for (int s = 0; s < seeds; s++)
        {
            double common = z[n + s];
            for (int a = 0; a < 2; a++)
            {
                double g = Rho * common + Math.Sqrt(1 - Rho * Rho) * z[n + seeds + 2 * s + a];
                double shift = beta[a] + seedSd * g;
                int offset = n + 3 * seeds + (2 * s + a) * n, correct = 0;
                var images = new bool[n];
                for (int i = 0; i < n; i++)
                    if (images[i] = shift + DifficultySd * z[i] + z[offset + i] > 0) correct++;
                arms[a].Add(Run(8, (ulong)s + 1) with { TestAccuracy = correct / (double)n, TestCorrect = CorrectImages.From(images) });
            }
        }
        return (arms[0], arms[1]);
    }

    // σ_g = 0.15 (probit): a seed-to-seed spread of ≈ 1.5 points, as in the quick report, of the order of the test set's
    // binomial SE at n = 2000 (1 point); σ_g = 0: the seeds differ only by which images each network happens to get right.
    // The interval pairs the arms image by image (AccuracyComparison.PairedImageVariance) and must cover at its nominal
    // level, 95% within 4 binomial SEs; the same runs without their per-image results fall back to the sum of the two arms'
    // binomial variances, which must fail that band on the conservative side (it covered 99.9–100%).
    [TestCase(0.15, 6)]
    [TestCase(0.15, 3)]
    [TestCase(0.0, 3)]
    public void PairedDifferenceInterval_CoversTheTruePopulationDifference(double seedSd, int seeds)
    {
        const double difference = -0.01;
        int covered = 0, unpairedCovered = 0, claimCovered = 0;
        for (int r = 0; r < Replications; r++)
        {
            var (a, b) = Accuracies(difference, seedSd, seeds, r, 0x1530 + (ulong)seeds + (ulong)(seedSd * 100) * 16);
            // α = 0.025: the two one-sided 97.5% bounds make the two-sided 95% interval.
            var row = AccuracyComparison.Compare([8], a, b, TestImages, Margin, 0.025).Single();
            if (row.LowerBound <= difference && difference <= row.UpperBound) covered++;
            var unpaired = AccuracyComparison.Compare([8], Unpaired(a), Unpaired(b), TestImages, Margin, 0.025).Single();
            if (unpaired.LowerBound <= difference && difference <= unpaired.UpperBound) unpairedCovered++;
            // The report's per-arm 95% interval of the mean accuracy, against the claim arm's population accuracy.
            if (row.Claim.Lower <= MuRef + difference && MuRef + difference <= row.Claim.Upper) claimCovered++;
        }
        var tally = new Coverage.Tally(Replications, Replications, covered);
        var old = new Coverage.Tally(Replications, Replications, unpairedCovered);
        var arm = new Coverage.Tally(Replications, Replications, claimCovered);
        TestContext.Out.WriteLine($"accuracy-comparison paired 95% interval, σ_g = {seedSd}, {seeds} seeds, n = {TestImages}: {tally}, rate {tally.Rate:P1} "
            + $"(both arms' binomial variances instead: {old.Rate:P1}); per-arm 95% interval {arm.Rate:P1}");
        Assert.That(Math.Abs(tally.Rate - Level), Is.LessThanOrEqualTo(tally.Tolerance(Level)), $"coverage {tally.Rate:P1}");
        Assert.That(old.Rate, Is.GreaterThan(Level + old.Tolerance(Level)), $"the unpaired fallback should be conservative beyond 4 SE: {old.Rate:P1}");
        // The per-arm interval keeps the binomial variance (one arm, no pairing): conservative by design.
        Assert.That(arm.Rate, Is.GreaterThanOrEqualTo(Level - arm.Tolerance(Level)), $"per-arm coverage {arm.Rate:P1}");
    }

    /// <summary>The runs without their per-image results (as a study written before test-correct.csv reads back).</summary>
    private static List<SweepRun> Unpaired(List<SweepRun> runs) => runs.Select(x => x with { TestCorrect = null }).ToList();

    [TestCase(0.15, 6)]
    [TestCase(0.15, 3)]
    [TestCase(0.0, 3)]
    public void NonInferiority_AtTrueDifferenceOnTheMargin_PassesAtMostAlpha(double seedSd, int seeds)
    {
        const double delta = 0.02;
        int passes = 0;
        for (int r = 0; r < Replications; r++)
        {
            var (a, b) = Accuracies(-delta, seedSd, seeds, r, 0x1540 + (ulong)seeds + (ulong)(seedSd * 100) * 16);
            if (AccuracyComparison.Compare([8], a, b, TestImages, delta, Alpha).Single().P <= Alpha) passes++;
        }
        double rate = passes / (double)Replications, tol = 4 * Math.Sqrt(Alpha * (1 - Alpha) / Replications);
        TestContext.Out.WriteLine($"accuracy-comparison non-inferiority size at E d = −δ, σ_g = {seedSd}, {seeds} seeds: {passes}/{Replications} = {rate:P2} false PASS (limit {Alpha + tol:P2})");
        Assert.That(rate, Is.LessThanOrEqualTo(Alpha + tol));
    }

    private static SweepRun Run(int depth, ulong seed) =>
        new($"L={depth}|{seed}", depth, "1/sqrt(L)", 0.5, seed, 0.01, TrainingOutcome.Completed, 100, null, 1, 0.01, null, null, null, 0.1, 0);
}

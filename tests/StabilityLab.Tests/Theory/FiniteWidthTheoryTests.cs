using StabilityLab.Models;
using StabilityLab.Sampling;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// The finite-width theory (docs/finite-width.md) against the exact sampler: mean and sd of the forward and
/// backward log ratios within 4 standard errors (SE of the mean sd/√n, SE of the sd sd/√(2(n−1))).
/// </summary>
public class FiniteWidthTheoryTests
{
    private static readonly Dictionary<(int, int, string), TrialSummary[]> Cache = new();

    private static TrialSummary[] Draw(int width, int depth, string tau, int trials)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue((width, depth, tau), out var s))
            {
                var spec = new NetworkSpec(width, depth, TauRule.Parse(tau));
                Cache[(width, depth, tau)] = s = MonteCarlo.RunExact(spec, [spec.TauSchedule()], trials, seed: 23)[0];
            }
            return s;
        }
    }

    private static void AssertWithin4Se(double[] x, double mean, double sd, string what)
    {
        int n = x.Length;
        double m = x.Average();
        double s = Math.Sqrt(x.Sum(v => (v - m) * (v - m)) / (n - 1));
        Assert.That(Math.Abs(mean - m), Is.LessThan(4 * s / Math.Sqrt(n)), $"{what} mean: measured {m} ± {s / Math.Sqrt(n)}, predicted {mean}");
        Assert.That(Math.Abs(sd - s), Is.LessThan(4 * s / Math.Sqrt(2.0 * (n - 1))), $"{what} sd: measured {s} ± {s / Math.Sqrt(2.0 * (n - 1))}, predicted {sd}");
    }

    // The gating case (the zeros of h_0 halve ‖g‖²: mean ≈ −0.67, not 0), τ = 1/√L, and a cell where ‖g_0‖ is
    // dominated by the part of g_L along h_L (Σ τ² = 16). At τ = 1/√L the trials are those of the acceptance grid
    // (500): the backward mean carries a first-order bias of ≈ +0.03 (≈ 8/m, 0.12 sd) that 1500 trials resolve
    // (z = 4.5; docs/finite-width.md §6).
    [TestCase(256, 50, "0.02", 2000)]
    [TestCase(256, 64, "1/sqrt(L)", 500)]
    [TestCase(256, 64, "0.5", 1500)]
    public void ForwardAndBackwardMomentsMatchTheExactSampler(int width, int depth, string tau, int trials)
    {
        var spec = new NetworkSpec(width, depth, TauRule.Parse(tau));
        var p = FiniteWidthTheory.Predict(spec);
        var s = Draw(width, depth, tau, trials).Where(t => !t.Dead).ToArray();
        AssertWithin4Se(s.Select(t => t.Forward).ToArray(), p.FwdLogSqMean, p.FwdLogSqSd, "forward");
        AssertWithin4Se(s.Select(t => t.Backward).ToArray(), p.BwdLogSqMean, p.BwdLogSqSd, "backward");

        // Cov(F_L, B_L): SE of a sample covariance ≈ s_F s_B √((1 + r²)/n).
        double mf = s.Average(t => t.Forward), mb = s.Average(t => t.Backward);
        double sf = Math.Sqrt(s.Sum(t => (t.Forward - mf) * (t.Forward - mf)) / (s.Length - 1));
        double sb = Math.Sqrt(s.Sum(t => (t.Backward - mb) * (t.Backward - mb)) / (s.Length - 1));
        double cov = s.Sum(t => (t.Forward - mf) * (t.Backward - mb)) / (s.Length - 1), r = cov / (sf * sb);
        double se = sf * sb * Math.Sqrt((1 + r * r) / s.Length);
        Assert.That(Math.Abs(p.Covariance - cov), Is.LessThan(4 * se), $"covariance: measured {cov} ± {se}, predicted {p.Covariance}");
    }

    [Test]
    public void GatingMakesTheBackwardMeanNegativeAtSmallTau()
    {
        // Not a tolerance test of the value: the sign and size of the effect the theory must carry.
        var p = FiniteWidthTheory.Predict(new NetworkSpec(256, 50, TauRule.Constant(0.02)));
        Assert.That(p.BwdLogSqMean, Is.LessThan(-0.5));
        Assert.That(p.BwdLogSqInfiniteByLayer[50], Is.EqualTo(0.0));
        Assert.That(p.Regime.Inside, Is.True, p.Regime.Reason);
    }

    [Test]
    public void ForwardQuantilesAndBlowupAreThoseOfTheGaussianLaw()
    {
        var p = FiniteWidthTheory.Predict(new NetworkSpec(256, 16, TauRule.Constant(0.5)));
        Assert.That(p.FwdLogSqQ50, Is.EqualTo(p.FwdLogSqMean));
        Assert.That(p.FwdLogSqQ95 - p.FwdLogSqQ50, Is.EqualTo(p.FwdLogSqQ50 - p.FwdLogSqQ05).Within(1e-12));
        Assert.That(p.BlowupFrac(Math.Exp(p.FwdLogSqMean / 2)), Is.EqualTo(0.5).Within(1e-12));
        Assert.That(p.BlowupFrac(Math.Exp(p.FwdLogSqQ95 / 2)), Is.EqualTo(0.05).Within(1e-9));
        Assert.That(p.FwdLogMeanSq, Is.GreaterThan(p.FwdLogSqMean));
    }

    [Test]
    public void TheoryGridAgreesWithTheDefaultGrid()
    {
        // 4 points per σ (the theory's grid) against the 8 of InfiniteWidthRecursion: log Q_L within 2e-5 (the theory needs ~1e-3: its standard errors).
        var spec = new NetworkSpec(256, 64, TauRule.Parse("1/sqrt(L)"));
        double coarse = FiniteWidthTheory.Predict(spec).FwdLogSqInfinite;
        double fine = InfiniteWidthRecursion.PostRelu(spec.TauSchedule()).LogRatio[^1];
        Assert.That(coarse, Is.EqualTo(fine).Within(2e-5));
    }

    [Test]
    public void SmallTauIsOutsideWhenTheGridWouldBeTooLarge()
    {
        Assert.Throws<SpecException>(() => FiniteWidthTheory.Predict(new NetworkSpec(256, 4096, TauRule.Constant(1e-4))));
        // res1/ReLU is now covered (docs/finite-width.md §11); an uncovered block/activation still throws.
        Assert.Throws<SpecException>(() => FiniteWidthTheory.Predict(new NetworkSpec(256, 16, TauRule.Constant(0.5), block: BlockKind.Res1, activation: Activation.Tanh)));
    }
}

using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Statistics;

namespace StabilityLab.Tests.Sampling;

/// <summary>The exact sampler against exact facts of docs/science.md §3 (no other sampler involved).</summary>
public class ExactSamplerTests
{
    private static TrialMeasurement[] Run(NetworkSpec spec, int trials, ulong seed = 7)
    {
        var sampler = new ExactSampler(spec);
        uint cell = CellKey.Of(spec);
        return Enumerable.Range(0, trials).Select(t => sampler.Sample(RandomStream.For(seed, cell, (uint)t))).ToArray();
    }

    [TestCase(0.3, 20)]
    [TestCase(1.0, 5)]
    public void IdentityActivation_MeanRatioIsExactlyOnePlusTwoTauSquaredToTheL(double tau, int depth)
    {
        // E‖(I + τW)h‖² = ‖h‖²(1 + 2τ²) for W_ij ~ N(0, 2/m): the upper bound is attained.
        var spec = new NetworkSpec(32, depth, TauRule.Constant(tau), activation: Activation.Identity);
        var ratios = Run(spec, 20000).Select(m => Math.Exp(m.ForwardFinal)).ToArray();
        var (mean, se) = SampleStats.MeanSe(ratios);
        double expected = Math.Pow(1 + 2 * tau * tau, depth);
        Assert.That(Math.Abs(mean - expected), Is.LessThan(4 * se), $"mean {mean} ± {se} vs {expected}");
    }

    [TestCase(0.2, 50, 64)]
    [TestCase(1.0, 10, 16)]
    [TestCase(0.1, 100, 256)]
    public void PostRelu_MeanRatioLiesInsideTheExactFirstMomentBounds(double tau, int depth, int width)
    {
        // (1+τ²)^L ≤ E[‖h_L‖²/‖h_0‖²] ≤ (1+2τ²)^L at every width (docs/science.md §3).
        var spec = new NetworkSpec(width, depth, TauRule.Constant(tau));
        var ratios = Run(spec, 8000).Select(m => Math.Exp(m.ForwardFinal)).ToArray();
        var (mean, se) = SampleStats.MeanSe(ratios);
        Assert.That(mean + 4 * se, Is.GreaterThanOrEqualTo(Math.Pow(1 + tau * tau, depth)));
        Assert.That(mean - 4 * se, Is.LessThanOrEqualTo(Math.Pow(1 + 2 * tau * tau, depth)));
    }

    [TestCase(0.5)]
    [TestCase(1.0)]
    public void PostRelu_FirstLayerMatchesTheClosedFormQ1AtLargeWidth(double tau)
    {
        // Q_1 = 1/2 + τ² + ((1+τ²)/π) arcsin(1/√(1+τ²)) + τ/π (docs/science.md §3) is E‖h_1‖² at m = ∞.
        // The finite-width bias is O(1/m): Richardson extrapolation from m and 4m removes it.
        double q1 = 0.5 + tau * tau + (1 + tau * tau) / Math.PI * Math.Asin(1 / Math.Sqrt(1 + tau * tau)) + tau / Math.PI;
        (double Mean, double Se) Estimate(int width)
        {
            var spec = new NetworkSpec(width, 1, TauRule.Constant(tau));
            var h1 = Run(spec, 40000, seed: 11).Select(m => Math.Exp(m.LogH0 + m.ForwardFinal)).ToArray();
            return SampleStats.MeanSe(h1);
        }
        var (m1, s1) = Estimate(512);
        var (m4, s4) = Estimate(2048);
        double extrapolated = (4 * m4 - m1) / 3;
        double se = Math.Sqrt(16 * s4 * s4 + s1 * s1) / 3;
        Assert.That(Math.Abs(extrapolated - q1), Is.LessThan(4 * se), $"extrapolated {extrapolated} ± {se} vs Q1 {q1}");
    }

    [Test]
    public void InputLayerHasUnitMeanSquaredNorm()
    {
        // E‖φ(Ax)‖² = m · E[relu(N(0, 2/m))²] = 1 exactly.
        var spec = new NetworkSpec(64, 1, TauRule.Constant(0.1));
        var h0 = Run(spec, 20000).Select(m => Math.Exp(m.LogH0)).ToArray();
        var (mean, se) = SampleStats.MeanSe(h0);
        Assert.That(Math.Abs(mean - 1), Is.LessThan(4 * se));
    }

    [Test]
    public void TauOneAtDepth4096StaysFinite()
    {
        // Without renormalization ‖h_L‖² ≈ e^3500 overflows float64; the log domain must not.
        var spec = new NetworkSpec(64, 4096, TauRule.Constant(1.0));
        var ms = Run(spec, 3);
        foreach (var m in ms)
        {
            Assert.That(m.Dead, Is.False);
            Assert.That(m.Forward.Concat(m.Backward).Concat(m.WeightGrad).All(double.IsFinite), Is.True);
            Assert.That(m.ForwardFinal, Is.GreaterThan(709 * 2), "‖h_L‖² should exceed double's range");
            // E log ≤ log E ≤ L log(1 + 2τ²) (Jensen), with room for one trial's spread.
            Assert.That(m.ForwardFinal, Is.LessThan(4096 * Math.Log(3)));
        }
    }

    [Test]
    public void CommonRandomNumbers_EachScheduleOfAGridEqualsItsOwnRunBitForBit()
    {
        foreach (var block in new[] { BlockKind.Post, BlockKind.Res1, BlockKind.Res3 })
        {
            var spec = new NetworkSpec(48, 12, TauRule.Constant(0.3), block);
            var sampler = new ExactSampler(spec);
            var stream = RandomStream.For(5, CellKey.Of(spec), 3);
            var taus = new[] { 0.05, 0.3, 1.0 }.Select(t => Enumerable.Repeat(t, 12).ToArray()).ToArray();
            var grid = sampler.Sample(stream, taus);
            for (int k = 0; k < taus.Length; k++)
            {
                var alone = sampler.Sample(stream, [taus[k]])[0];
                Assert.That(grid[k].Forward, Is.EqualTo(alone.Forward), $"{block} τ={taus[k][0]}");
                Assert.That(grid[k].Backward, Is.EqualTo(alone.Backward));
                Assert.That(grid[k].WeightGrad, Is.EqualTo(alone.WeightGrad));
            }
            Assert.That(grid[0].ForwardFinal, Is.Not.EqualTo(grid[2].ForwardFinal));
        }
    }

    [Test]
    public void ThreadCountDoesNotChangeAnyBit()
    {
        var spec = new NetworkSpec(40, 30, TauRule.Parse("1/sqrt(L)"), BlockKind.Res3);
        var schedules = new[] { spec.TauSchedule(), TauRule.Constant(1).Schedule(30) };
        var one = MonteCarlo.RunExact(spec, schedules, 64, seed: 9, threads: 1);
        var two = MonteCarlo.RunExact(spec, schedules, 64, seed: 9, threads: 2);
        var five = MonteCarlo.RunExact(spec, schedules, 64, seed: 9, threads: 5);
        Assert.That(two, Is.EqualTo(one));
        Assert.That(five, Is.EqualTo(one));
    }

    [Test]
    public void WidthOneReluNetworksDieAboutHalfTheTimeAndStatisticsSkipThem()
    {
        // h_0 = relu(N(0, 2)) is exactly zero with probability 1/2 at m = 1; later layers can die too.
        var spec = new NetworkSpec(1, 3, TauRule.Constant(0.1));
        var summaries = MonteCarlo.RunExact(spec, [spec.TauSchedule()], 4000, seed: 2)[0];
        int dead = summaries.Count(s => s.Dead);
        Assert.That(dead, Is.GreaterThanOrEqualTo(2000 - 4 * Math.Sqrt(4000 * 0.25)));
        var stats = CellStatistics.Compute(summaries);
        Assert.That(stats.DeadTrials, Is.EqualTo(dead));
        Assert.That(stats.Trials, Is.EqualTo(4000 - dead));
        Assert.That(double.IsFinite(stats.FwdLogSqMean) && double.IsFinite(stats.BwdLogSqMean), Is.True);
    }

    [Test]
    public void PerLayerTauRuleIsAppliedLayerByLayer()
    {
        // With identity φ, E ratio = Π_l (1 + 2τ_l²) for a per-layer schedule.
        var rule = TauRule.Parse("1/sqrt(l*log(l+1)^2)");
        var spec = new NetworkSpec(32, 6, rule, activation: Activation.Identity);
        var ratios = Run(spec, 20000).Select(m => Math.Exp(m.ForwardFinal)).ToArray();
        var (mean, se) = SampleStats.MeanSe(ratios);
        double expected = rule.Schedule(6).Aggregate(1.0, (p, t) => p * (1 + 2 * t * t));
        Assert.That(Math.Abs(mean - expected), Is.LessThan(4 * se), $"{mean} ± {se} vs {expected}");
    }

    [Test]
    public void RejectsNonGaussianWeights()
    {
        var spec = new NetworkSpec(8, 2, TauRule.Constant(0.1), weights: WeightLaw.Uniform);
        var e = Assert.Throws<SpecException>(() => _ = new ExactSampler(spec));
        Assert.That(e!.Message, Does.Contain("dense"));
    }
}

using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>The post-block density evolution against exact facts of docs/science.md §3.</summary>
public class InfiniteWidthRecursionTests
{
    /// <summary>Numerical accuracy of log Q_l with the default grid (measured against a grid twice as fine: ≤ 5e-7 up to L = 4096).</summary>
    private const double Accuracy = 1e-6;

    [TestCase("1/sqrt(L)", 256)]
    [TestCase("1", 64)]
    [TestCase("L^-0.25", 1024)]
    [TestCase("1/sqrt(l*log(l+1)^2)", 128)]
    public void LiesInsideTheExactFirstMomentBoundsAtEveryLayer(string rule, int depth)
    {
        var tau = TauRule.Parse(rule).Schedule(depth);
        var curve = InfiniteWidthRecursion.PostRelu(tau);
        var bounds = FirstMomentBounds.PostReluByLayer(tau);
        var ratio = curve.LogRatio;
        for (int l = 0; l <= depth; l++)
            Assert.That(bounds[l].Contains(ratio[l], Accuracy), Is.True,
                $"l = {l}: log(Q_l/Q_0) = {ratio[l]} outside [{bounds[l].LogLower}, {bounds[l].LogUpper}]");
        // Strictly inside after layer 1: ψ ∈ (1/2, 1) on a law with mass on both sides of the kink.
        Assert.That(ratio[depth], Is.GreaterThan(bounds[depth].LogLower + 100 * Accuracy));
        Assert.That(ratio[depth], Is.LessThan(bounds[depth].LogUpper - 100 * Accuracy));
    }

    [Test]
    public void TauOverSqrtL_LogQConvergesToTwoAlphaSquaredAtRateOneOverSqrtL()
    {
        // docs/science.md §3: log E‖h_L‖² → 2α² for τ = α/√L. The upper bound L·log1p(2α²/L) < 2α² forces
        // log Q_L < 2α²; the deficit comes from the boundary layer near 0 and from the initial atom
        // and decays like L^{-1/2}: each 4× in L halves the increment.
        const double alpha = 1.0;
        int[] depths = [64, 256, 1024, 4096];
        var logQ = depths.Select(L => InfiniteWidthRecursion.PostRelu(TauRule.Constant(alpha / Math.Sqrt(L)).Schedule(L)).LogQFinal).ToArray();
        for (int i = 0; i < depths.Length; i++)
            Assert.That(logQ[i], Is.LessThan(2 * alpha * alpha), $"L = {depths[i]}");
        var increments = logQ.Zip(logQ.Skip(1), (a, b) => b - a).ToArray();
        Assert.That(increments, Is.All.Positive);
        for (int i = 0; i + 1 < increments.Length; i++)
            Assert.That(increments[i + 1] / increments[i], Is.EqualTo(0.5).Within(0.05), $"increment ratio at L = {depths[i + 1]}");
        // Richardson in 1/√L over the last two depths: a + b/√L → a.
        double limit = 2 * logQ[^1] - logQ[^2];
        Assert.That(limit, Is.EqualTo(2 * alpha * alpha).Within(1e-3), $"extrapolated limit {limit}");
        // The atom P(Y_L = 0) vanishes like L^{-1/2} too (reflected-walk limit).
        Assert.That(InfiniteWidthRecursion.PostRelu(TauRule.Constant(alpha / 8).Schedule(64)).AtomMass[^1], Is.InRange(0.05, 0.15));
    }

    [Test]
    public void ConstantTau_GrowsLinearlyInLAtAFixedPointRate()
    {
        // τ = 1: the normalized law reaches a fixed point, so log(Q_l/Q_{l-1}) becomes constant,
        // strictly between log 2 and log 3; the log domain keeps L = 1024 (Q ≈ e^896, beyond double) finite.
        var curve = InfiniteWidthRecursion.PostRelu(TauRule.Constant(1).Schedule(1024));
        double rate = curve.LogQ[^1] - curve.LogQ[^2];
        Assert.That(double.IsFinite(curve.LogQFinal), Is.True);
        Assert.That(rate, Is.EqualTo(curve.LogQ[64] - curve.LogQ[63]).Within(1e-8));
        Assert.That(rate, Is.GreaterThan(Math.Log(2)).And.LessThan(Math.Log(3)));
        Assert.That(curve.LogQFinal, Is.EqualTo(1024 * rate).Within(0.1 * 1024));
        Assert.That(curve.LogQFinal, Is.GreaterThan(709.8)); // Q_L itself would overflow double
    }

    [Test]
    public void GridRefinementChangesLogQByLessThanTheStatedAccuracy()
    {
        var tau = TauRule.Parse("1/sqrt(L)").Schedule(256);
        var coarse = InfiniteWidthRecursion.PostRelu(tau);
        var fine = InfiniteWidthRecursion.PostRelu(tau, new DensityGridOptions { PointsPerSigma = 16, MaxSpacing = 0.025, Range = 14, CoarsenFactor = 1.1 });
        for (int l = 0; l <= 256; l++)
            Assert.That(coarse.LogQ[l], Is.EqualTo(fine.LogQ[l]).Within(Accuracy), $"l = {l}");
        Assert.That(coarse.AtomMass[^1], Is.EqualTo(fine.AtomMass[^1]).Within(Accuracy));
        Assert.That(coarse.Grid!.MaxMassError, Is.LessThan(1e-6));
        Assert.That(coarse.Grid.MaxMomentError, Is.LessThan(1e-6));
    }

    [Test]
    public void ZeroTauLayersLeaveTheLawUnchanged()
    {
        var curve = InfiniteWidthRecursion.PostRelu([0.0, 0.5, 0.0]);
        Assert.That(curve.LogQ[1], Is.EqualTo(0.0));
        Assert.That(curve.AtomMass[1], Is.EqualTo(0.5));
        Assert.That(curve.LogQ[3], Is.EqualTo(curve.LogQ[2]));
        Assert.That(curve.LogQ[2], Is.EqualTo(Math.Log(FirstLayerClosedForm.Q1(0.5))).Within(1e-9));
    }

    [Test]
    public void ForSpecDispatchesOnTheBlock()
    {
        var post = new NetworkSpec(64, 20, TauRule.Parse("1/sqrt(L)"));
        Assert.That(InfiniteWidthRecursion.For(post).LogQ, Is.EqualTo(InfiniteWidthRecursion.PostRelu(post.TauSchedule()).LogQ));
        var res1 = post with { Block = BlockKind.Res1 };
        Assert.That(InfiniteWidthRecursion.For(res1).Block, Is.EqualTo(BlockKind.Res1));
        Assert.Throws<ArgumentException>(() => InfiniteWidthRecursion.For(post with { Block = BlockKind.Res3 }));
        Assert.Throws<ArgumentException>(() => InfiniteWidthRecursion.For(post with { Activation = Activation.Tanh }));
    }
}

using StabilityLab.Models;
using StabilityLab.Theory;

namespace StabilityLab.Tests.Theory;

/// <summary>
/// res1 (pre-activation) with ReLU. docs/science.md §3 states q_l = q_{l−1}(1+τ²); that needs
/// E[φ(Y)²] = E[Y²]/2, false for h_0 = φ(Ax) ≥ 0. The exact law is Y_l = Y_0 + √S_l ξ.
/// </summary>
public class Res1RecursionTests
{
    [TestCase(0.3, 64)]
    [TestCase(1.0, 256)]
    [TestCase(0.0625, 256)]
    public void DensityEvolutionAgreesWithTheExactGaussianSumReduction(double tau, int depth)
    {
        var schedule = TauRule.Constant(tau).Schedule(depth);
        var de = InfiniteWidthRecursion.Res1Relu(schedule);
        var exact = InfiniteWidthRecursion.Res1ReluExact(schedule);
        for (int l = 0; l <= depth; l++)
        {
            Assert.That(de.LogQ[l], Is.EqualTo(exact.LogQ[l]).Within(1e-7), $"log q at l = {l}");
            Assert.That(de.PositivePart[l], Is.EqualTo(exact.PositivePart[l]).Within(1e-7), $"E[φ(Y)²]/E[Y²] at l = {l}");
        }
    }

    [TestCase(0.05)]
    [TestCase(1.0)]
    [TestCase(3.0)]
    public void FirstLayerIsOnePlusTwoTauSquared_NotOnePlusTauSquared(double tau)
    {
        // q_1 = E[(Y_0 + τ√(2 E[Y_0²]) ξ)²] = 1 + 2τ² because φ(h_0) = h_0.
        var de = InfiniteWidthRecursion.Res1Relu([tau]);
        Assert.That(de.LogQ[1], Is.EqualTo(Math.Log(1 + 2 * tau * tau)).Within(1e-9));
        Assert.That(InfiniteWidthRecursion.Res1ClosedRecursion([tau])[1], Is.EqualTo(Math.Log(1 + tau * tau)).Within(1e-15));
    }

    [Test]
    public void ClosedRecursionHoldsOnlyAsymptoticallyForConstantTau()
    {
        // E[φ(Y_l)²]/E[Y_l²] > 1/2 at every l and → 1/2 as the branch sum dominates Y_0: the per-layer
        // ratio tends to 1+τ², but log q_L − L·log(1+τ²) converges to a positive offset, not 0.
        var tau = TauRule.Constant(1).Schedule(256);
        var exact = InfiniteWidthRecursion.Res1ReluExact(tau);
        var closed = InfiniteWidthRecursion.Res1ClosedRecursion(tau);
        Assert.That(exact.PositivePart.Skip(1).Take(64), Is.All.GreaterThan(0.5));
        Assert.That(exact.PositivePart, Is.All.GreaterThan(0.5 - 1e-12)); // 1/2 + O(1/√S) rounds to 1/2 for large S
        Assert.That(exact.PositivePart[^1], Is.EqualTo(0.5).Within(1e-9));
        Assert.That(exact.LogQ[^1] - exact.LogQ[^2], Is.EqualTo(Math.Log(2)).Within(1e-9));
        double offset = exact.LogQ[^1] - closed[^1];
        Assert.That(offset, Is.EqualTo(exact.LogQ[64] - closed[64]).Within(1e-9));
        Assert.That(offset, Is.GreaterThan(1.0));
    }

    [Test]
    public void ClosedRecursionIsWrongAtLeadingOrderForTauOverSqrtL()
    {
        // τ = 1/√L: the closed recursion gives log q_L → 1; the exact value is ≈ 1.64.
        var tau = TauRule.Parse("1/sqrt(L)").Schedule(4096);
        var exact = InfiniteWidthRecursion.Res1ReluExact(tau);
        var closed = InfiniteWidthRecursion.Res1ClosedRecursion(tau);
        Assert.That(closed[^1], Is.EqualTo(1.0).Within(1e-3));
        Assert.That(exact.LogQFinal, Is.EqualTo(1.641).Within(2e-3));
    }

    [Test]
    public void ExactReductionStaysFiniteAtTauOneDepth4096()
    {
        var exact = InfiniteWidthRecursion.Res1ReluExact(TauRule.Constant(1).Schedule(4096));
        Assert.That(exact.LogQ.All(double.IsFinite), Is.True);
        Assert.That(exact.LogQFinal, Is.EqualTo(4096 * Math.Log(2) + 1.1318).Within(1e-3));
    }

    [Test]
    public void MonteCarloAtWidth512FollowsTheExactRecursionNotTheClosedOne()
    {
        // E‖h_L‖² from the exact sampler (res1 block) against q_L; finite-width bias O(1/m) ≈ 2e-3 allowed.
        var spec = new NetworkSpec(512, 16, TauRule.Parse("1/sqrt(L)"), BlockKind.Res1);
        var sample = LogNormSample.Draw(spec, 2000, seed: 23);
        var (logMean, se) = sample.LogMeanOfSquares();
        double exact = InfiniteWidthRecursion.Res1ReluExact(spec.TauSchedule()).LogQFinal;
        double closed = InfiniteWidthRecursion.Res1ClosedRecursion(spec.TauSchedule())[^1];
        Assert.That(Math.Abs(logMean - exact), Is.LessThan(4 * se + 1.0 / spec.Width), $"MC {logMean} ± {se} vs exact {exact}");
        Assert.That(Math.Abs(logMean - closed), Is.GreaterThan(20 * se), $"MC {logMean} vs closed {closed}");
    }
}

using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Statistics;
using StabilityLab.Torch.Sampling;

namespace StabilityLab.Tests.Sampling;

/// <summary>
/// The exact O(L·m) sampler against the dense reference (materialized weights, autograd):
/// same law for every measured quantity. Two-sample KS at the 0.1% level and mean difference
/// within 4 standard errors, fixed seeds.
/// </summary>
[NonParallelizable]
public class SamplerAgreementTests
{
    private const int Trials = 1500;

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(BlockKind.Post, Activation.Relu, 32, 10, "1").SetName("post relu τ=1");
        yield return new TestCaseData(BlockKind.Post, Activation.Relu, 32, 16, "1/sqrt(L)").SetName("post relu τ=1/√L");
        yield return new TestCaseData(BlockKind.Post, Activation.Tanh, 32, 10, "0.5").SetName("post tanh τ=0.5");
        yield return new TestCaseData(BlockKind.Res1, Activation.Relu, 32, 10, "1/sqrt(L)").SetName("res1 relu τ=1/√L");
        yield return new TestCaseData(BlockKind.Res1, Activation.Tanh, 32, 10, "1").SetName("res1 tanh τ=1");
        yield return new TestCaseData(BlockKind.Res3, Activation.Relu, 24, 8, "1").SetName("res3 relu τ=1");
        yield return new TestCaseData(BlockKind.Res3, Activation.Tanh, 24, 8, "0.7").SetName("res3 tanh τ=0.7");
        yield return new TestCaseData(BlockKind.Post, Activation.Identity, 24, 8, "L^-0.25").SetName("post identity τ=L^-1/4");
    }

    [TestCaseSource(nameof(Cases))]
    public void ExactAndDenseAgreeInDistribution(BlockKind block, Activation act, int width, int depth, string tau)
    {
        var spec = new NetworkSpec(width, depth, TauRule.Parse(tau), block, act);
        var exactSampler = new ExactSampler(spec);
        uint cell = CellKey.Of(spec);
        var exact = Enumerable.Range(0, Trials).Select(t => exactSampler.Sample(RandomStream.For(21, cell, (uint)t))).ToArray();
        var dense = new DenseSampler(spec).Sample(22, cell, Trials);
        Assert.That(exact.Count(m => m.Dead) + dense.Count(m => m.Dead), Is.Zero);

        var quantities = new (string Name, Func<TrialMeasurement, double> Get)[]
        {
            ("log‖h_0‖²", m => m.LogH0),
            ("forward log ratio", m => m.ForwardFinal),
            ("forward max", m => m.ForwardMax),
            ("mid-depth forward", m => m.Forward[depth / 2]),
            ("backward log ratio", m => m.BackwardFinal),
            ("mid-depth backward", m => m.Backward[depth / 2]),
            ("log‖∂F/∂W_1‖²", m => m.WeightGrad[0]),
            ("log‖∂F/∂W_L‖²", m => m.WeightGrad[depth - 1]),
        };
        Assert.Multiple(() =>
        {
            foreach (var (name, get) in quantities)
            {
                var a = exact.Select(get).ToArray();
                var b = dense.Select(get).ToArray();
                var (d, p) = KolmogorovSmirnov.TwoSample(a, b);
                Assert.That(p, Is.GreaterThan(1e-3), $"{name}: KS D = {d:F4}");
                Assert.That(SampleStats.MeanDifferenceZ(a, b), Is.LessThan(4), $"{name}: means {a.Average():F4} vs {b.Average():F4}");
            }
        });
    }

    [Test]
    public void DenseUniformWeights_IdentityActivationHasTheExactMeanRatio()
    {
        // E‖(I + τW)h‖² = ‖h‖²(1 + 2τ²) depends only on the weight variance, so it holds for
        // uniform weights of variance 2/m too.
        const double tau = 0.4;
        const int depth = 8;
        var spec = new NetworkSpec(16, depth, TauRule.Constant(tau), activation: Activation.Identity, weights: WeightLaw.Uniform);
        var ratios = new DenseSampler(spec).Sample(3, CellKey.Of(spec), 6000).Select(m => Math.Exp(m.ForwardFinal)).ToArray();
        var (mean, se) = SampleStats.MeanSe(ratios);
        double expected = Math.Pow(1 + 2 * tau * tau, depth);
        Assert.That(Math.Abs(mean - expected), Is.LessThan(4 * se), $"{mean} ± {se} vs {expected}");
    }

    [Test]
    public void DenseSamplerIsReproducibleForAFixedSeed()
    {
        var spec = new NetworkSpec(16, 5, TauRule.Constant(0.5));
        var a = new DenseSampler(spec).Sample(4, 1, 10);
        var b = new DenseSampler(spec).Sample(4, 1, 10);
        var c = new DenseSampler(spec).Sample(5, 1, 10);
        Assert.That(a.Select(m => m.ForwardFinal), Is.EqualTo(b.Select(m => m.ForwardFinal)));
        Assert.That(a.Select(m => m.ForwardFinal), Is.Not.EqualTo(c.Select(m => m.ForwardFinal)));
    }

    [Test]
    public void DenseTauOneAtDepth3000StaysFinite()
    {
        // The dense path renormalizes with detached norms, so ‖h_L‖² ≈ e^2000 does not overflow.
        var spec = new NetworkSpec(8, 3000, TauRule.Constant(1.0));
        var ms = new DenseSampler(spec).Sample(1, 1, 2);
        foreach (var m in ms)
        {
            Assert.That(m.Dead, Is.False);
            Assert.That(m.ForwardFinal, Is.GreaterThan(2 * 709.0));
            Assert.That(m.Backward.Concat(m.WeightGrad).All(double.IsFinite), Is.True);
        }
    }
}

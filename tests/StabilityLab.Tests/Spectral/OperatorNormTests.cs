using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Spectral;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Spectral;

/// <summary>
/// The operator norms of block products: Lanczos on PᵀP against a full SVD (relative 1e-6), the sweep over
/// product lengths against products multiplied out by hand, the layer Jacobians against autograd, and the
/// step limit reported as non-convergence.
/// </summary>
[TestFixture]
public sealed class OperatorNormTests
{
    /// <summary>Every Lanczos norm converged and equals the full SVD's top singular value to 1e-6 (relative).</summary>
    private static void AssertMatchesSvd(TopSingularValues top, Tensor p)
    {
        var svd = TopBySvd(p);
        Assert.Multiple(() =>
        {
            Assert.That(top.Converged, Is.All.True);
            for (int i = 0; i < svd.Length; i++)
                Assert.That(top.Sigma[i], Is.EqualTo(svd[i]).Within(1e-6 * svd[i]), $"matrix {i}");
        });
    }

    private static double[] TopBySvd(Tensor p) => linalg.svdvals(p).select(-1, 0).contiguous().data<double>().ToArray();

    [TestCase(8, 8)]
    [TestCase(12, 5)]
    [TestCase(5, 12)]
    [TestCase(60, 60)]
    public void LanczosMatchesTheFullSvdOnRandomMatrices(int rows, int cols)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(11);
        var p = randn(new long[] { 16, rows, cols }, float64, generator: gen);
        var top = OperatorNorm.Lanczos(p, 1e-6, 300, gen);
        AssertMatchesSvd(top, p);
    }

    [Test]
    public void LanczosMatchesTheFullSvdOnOneBlockWhoseTopSpectrumIsClustered()
    {
        // One post block D(I + τW) at m = 96, τ = 1/8: σ₂/σ₁ ≈ 0.99, where power iteration stalls.
        using var scope = NewDisposeScope();
        var spec = new NetworkSpec(96, 1, TauRule.Constant(0.125));
        using var net = DenseNetwork.Draw(spec, 12, 5, CPU);
        using var jac = net.LayerJacobians(spec.TauSchedule());
        var p = jac[0];
        var sv = linalg.svdvals(p);
        double gap = (sv.select(1, 1) / sv.select(1, 0)).max().item<double>();
        Assert.That(gap, Is.GreaterThan(0.98), "the case is meant to be hard for plain power iteration");
        var top = OperatorNorm.Lanczos(p, 1e-6, 300, new Generator(3));
        AssertMatchesSvd(top, p);
    }

    [Test]
    public void TheStepLimitIsReportedAsNotConvergedAndGivesALowerBound()
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(2);
        var p = randn(new long[] { 8, 80, 80 }, float64, generator: gen);
        var top = OperatorNorm.Lanczos(p, 1e-12, 3, gen);
        var svd = TopBySvd(p);
        Assert.Multiple(() =>
        {
            Assert.That(top.Converged, Is.All.False);
            Assert.That(top.Steps, Is.All.EqualTo(3));
            for (int i = 0; i < svd.Length; i++)
                Assert.That(top.Sigma[i], Is.LessThan(svd[i] * (1 + 1e-12)).And.GreaterThan(0.5 * svd[i]));
        });
    }

    [Test]
    public void RankOneMatricesConvergeExactlyAtBreakdown()
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(4);
        var u = randn(new long[] { 4, 30, 1 }, float64, generator: gen);
        var v = randn(new long[] { 4, 1, 30 }, float64, generator: gen);
        var p = bmm(u, v);
        var top = OperatorNorm.Lanczos(p, 1e-6, 300, gen);
        var expected = (u.norm(1).squeeze(-1) * v.norm(2).squeeze(-1)).contiguous().data<double>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(top.Converged, Is.All.True);
            Assert.That(top.Steps, Is.All.LessThanOrEqualTo(2));
            for (int i = 0; i < 4; i++) Assert.That(top.Sigma[i], Is.EqualTo(expected[i]).Within(1e-10 * expected[i]));
        });
    }

    [TestCase(BlockKind.Post, Activation.Relu)]
    [TestCase(BlockKind.Post, Activation.Tanh)]
    [TestCase(BlockKind.Res1, Activation.Relu)]
    [TestCase(BlockKind.Res3, Activation.Tanh)]
    public void EveryPairMatchesTheProductMultipliedOutAndItsSvd(BlockKind block, Activation act)
    {
        using var scope = NewDisposeScope();
        const int m = 12, L = 6, T = 3;
        var spec = new NetworkSpec(m, L, TauRule.Constant(0.7), block, act);
        using var net = DenseNetwork.Draw(spec, T, 9, CPU);
        using var jac = net.LayerJacobians(spec.TauSchedule());
        var pairs = PairSelection.All.Select(L, 1);
        var norms = BlockProducts.Compute(jac, pairs, 1e-6, 300, new Generator(1), BlockPair.Whole(L));
        Assert.That(norms.Pairs, Has.Length.EqualTo(L * (L + 1) / 2));
        Assert.Multiple(() =>
        {
            for (int k = 0; k < pairs.Length; k++)
            {
                var (a, b) = (pairs[k].Start, pairs[k].End);
                var prod = jac[a - 1];
                for (int l = a + 1; l <= b; l++) prod = matmul(jac[l - 1], prod);
                var svd = TopBySvd(prod);
                for (int t = 0; t < T; t++)
                {
                    Assert.That(norms.Converged[k, t], Is.True, $"pair {pairs[k]} trial {t}");
                    Assert.That(norms.LogSq[k, t], Is.EqualTo(2 * Math.Log(svd[t])).Within(2e-6), $"pair {pairs[k]} trial {t}");
                }
            }
            // The whole product's spectrum: every singular value, descending.
            var whole = jac[0];
            for (int l = 2; l <= L; l++) whole = matmul(jac[l - 1], whole);
            var all = linalg.svdvals(whole).contiguous().data<double>().ToArray();
            for (int t = 0; t < T; t++)
                for (int i = 0; i < m; i++)
                    if (all[t * m + i] > 1e-8 * all[t * m])
                        Assert.That(norms.Spectrum![t][i], Is.EqualTo(2 * Math.Log(all[t * m + i])).Within(1e-8), $"σ_{i + 1} of trial {t}");
        });
    }

    [TestCase(BlockKind.Post, Activation.Relu)]
    [TestCase(BlockKind.Post, Activation.Tanh)]
    [TestCase(BlockKind.Res1, Activation.Relu)]
    [TestCase(BlockKind.Res3, Activation.Relu)]
    public void LayerJacobiansMatchAutograd(BlockKind block, Activation act)
    {
        using var scope = NewDisposeScope();
        const int m = 7, L = 3, T = 2;
        var spec = new NetworkSpec(m, L, TauRule.Constant(0.6), block, act, inputDim: 4);
        var tau = spec.TauSchedule();
        using var net = DenseNetwork.Draw(spec, T, 17, CPU);
        using var jac = net.LayerJacobians(tau);
        Tensor Phi(Tensor u) => act == Activation.Relu ? nn.functional.relu(u) : tanh(u);
        Tensor MatVec(Tensor w, Tensor v) => matmul(w, v.unsqueeze(-1)).squeeze(-1);
        var x = tensor(DenseNetwork.DefaultInput(4), float64);
        for (int t = 0; t < T; t++)
        {
            var h = Phi(MatVec(net.InputWeights[t], x));
            for (int l = 0; l < L; l++)
            {
                var hin = h.detach().requires_grad_(true);
                var W = net.BlockWeights[l][t];
                var next = block switch
                {
                    BlockKind.Post => Phi(hin + tau[l] * MatVec(W, hin)),
                    BlockKind.Res1 => hin + tau[l] * MatVec(W, Phi(hin)),
                    _ => hin + tau[l] * MatVec(net.OuterWeights![l][t], Phi(MatVec(W, hin))),
                };
                var expected = new double[m * m];
                for (int i = 0; i < m; i++)
                {
                    var g = autograd.grad(new[] { next[i] }, new[] { hin }, retain_graph: true)[0].data<double>().ToArray();
                    Array.Copy(g, 0, expected, i * m, m);
                }
                var actual = jac[l][t].contiguous().data<double>().ToArray();
                Assert.That(actual, Is.EqualTo(expected).Within(1e-12), $"J_{l + 1} of trial {t}");
                h = next.detach();
            }
        }
    }

    [Test]
    public void WholeProductNormIsFlatAtOneOverRootLAndGrowsAtLToTheMinusQuarter()
    {
        // docs/science.md §2 claims 1–2 on a small scale: m = 48, L = 4 → 96, whole product only, 8 trials.
        double Median(string tau, int depth)
        {
            var spec = new NetworkSpec(48, depth, TauRule.Parse(tau));
            var trials = new SpectralSampler(spec, new SpectralOptions { Pairs = PairSelection.Sample(0) }, CPU).Sample(7, 8);
            return LogStatistic.Of(trials.Select(t => t.WholeLogSq))!.Q50;
        }
        double flat = Median("1/sqrt(L)", 96) - Median("1/sqrt(L)", 4);
        double grow = Median("L^-0.25", 96) - Median("L^-0.25", 4);
        Assert.Multiple(() =>
        {
            Assert.That(Math.Abs(flat), Is.LessThan(1.0), "τ = 1/√L: log‖·‖₂² changes by less than 1 from L = 4 to 96");
            Assert.That(grow, Is.GreaterThan(4.0), "τ = L^-1/4: log‖·‖₂² grows by more than 4 from L = 4 to 96");
        });
    }
}

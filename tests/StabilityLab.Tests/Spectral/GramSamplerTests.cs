using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Sampling;
using StabilityLab.Spectral;
using StabilityLab.Statistics;
using StabilityLab.Tests.Sampling;
using StabilityLab.Torch.Spectral;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Spectral;

/// <summary>
/// The Gram matrix of n inputs at initialization: the exact O(L m n²) sampler (thin QR, docs/science.md §4) against the
/// dense materialized networks in distribution (two-sample KS at the 0.1% level, means within 4 standard errors),
/// the least eigenvalue positive for distinct inputs (and ≈ 0 for a repeated one), and the NTK against autograd.
/// </summary>
[TestFixture]
public sealed class GramSamplerTests
{
    private const int Trials = 1500;
    private static readonly GramInputs Four = GramInputs.RandomSphere(3, 4, 10);

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(BlockKind.Post, Activation.Relu, 32, 8, "1/sqrt(L)").SetName("gram post relu τ=1/√L");
        yield return new TestCaseData(BlockKind.Post, Activation.Relu, 24, 6, "1").SetName("gram post relu τ=1");
        yield return new TestCaseData(BlockKind.Post, Activation.Tanh, 24, 6, "0.5").SetName("gram post tanh τ=0.5");
        yield return new TestCaseData(BlockKind.Res1, Activation.Relu, 24, 6, "1/sqrt(L)").SetName("gram res1 relu τ=1/√L");
        yield return new TestCaseData(BlockKind.Res3, Activation.Tanh, 20, 5, "0.7").SetName("gram res3 tanh τ=0.7");
    }

    [TestCaseSource(nameof(Cases))]
    public void ExactAndDenseGramAgreeInDistribution(BlockKind block, Activation act, int width, int depth, string tau)
    {
        var spec = new NetworkSpec(width, depth, TauRule.Parse(tau), block, act);
        var sampler = new ExactGramSampler(spec, Four);
        uint cell = CellKey.Of(spec);
        var exact = Enumerable.Range(0, Trials).Select(t => sampler.Sample(RandomStream.For(41, cell, (uint)t))).ToArray();
        GramMatrix[] dense;
        using (var net = DenseNetwork.Draw(spec, Trials, 42, CPU))
            dense = net.Gram(Four, spec.TauSchedule(), ntk: false).Gram;
        var es = exact.Select(g => g.Summarize()).ToArray();
        var ds = dense.Select(g => g.Summarize()).ToArray();
        Assert.That(es.Concat(ds).Count(s => s.Dead || !s.Positive), Is.Zero, "no dead network, every λ_min > 0");

        var quantities = new (string Name, Func<GramMatrix, GramSummary, double> Get)[]
        {
            ("log λ_min(G)", (_, s) => s.LogMinEig!.Value),
            ("λ_min/mean diag", (_, s) => s.RelMinEig),
            ("log λ_max(G)", (_, s) => s.LogMaxEig!.Value),
            ("log mean ‖h_i,L‖²", (_, s) => s.LogMeanDiag),
            ("log G_11", (g, _) => g.LogEntry(0, 0)),
            ("log G_44", (g, _) => g.LogEntry(3, 3)),
            ("Ĝ_12", (g, _) => g[0, 1]),
            ("Ĝ_34", (g, _) => g[2, 3]),
            ("cos(h_1, h_2)", (g, _) => g[0, 1] / Math.Sqrt(g[0, 0] * g[1, 1])),
        };
        Assert.Multiple(() =>
        {
            foreach (var (name, get) in quantities)
            {
                var a = exact.Select((g, i) => get(g, es[i])).ToArray();
                var b = dense.Select((g, i) => get(g, ds[i])).ToArray();
                var (d, p) = KolmogorovSmirnov.TwoSample(a, b);
                Assert.That(p, Is.GreaterThan(1e-3), $"{name}: KS D = {d:F4}");
                Assert.That(SampleStats.MeanDifferenceZ(a, b), Is.LessThan(4), $"{name}: means {a.Average():F4} vs {b.Average():F4}");
            }
        });
    }

    [Test]
    public void TheExactSamplerDetectsADifferentLaw()
    {
        // The same comparison must fail when the laws differ: τ = 0.5 against τ = 0.6.
        var specA = new NetworkSpec(24, 6, TauRule.Constant(0.5));
        var specB = specA with { Tau = TauRule.Constant(0.6) };
        uint cell = CellKey.Of(specA);
        var sa = new ExactGramSampler(specA, Four);
        var a = Enumerable.Range(0, Trials).Select(t => sa.Sample(RandomStream.For(41, cell, (uint)t)).Summarize().LogMeanDiag).ToArray();
        double[] b;
        using (var net = DenseNetwork.Draw(specB, Trials, 42, CPU))
            b = net.Gram(Four, specB.TauSchedule(), ntk: false).Gram.Select(g => g.Summarize().LogMeanDiag).ToArray();
        Assert.That(KolmogorovSmirnov.TwoSample(a, b).PValue, Is.LessThan(1e-3));
    }

    [Test]
    public void LeastEigenvalueIsPositiveForDistinctInputsAndVanishesForARepeatedOne()
    {
        var spec = new NetworkSpec(64, 32, TauRule.Parse("1/sqrt(L)"));
        var distinct = GramInputs.RandomSphere(8, 6, 10);
        var repeated = new GramInputs([distinct[0], distinct[1], distinct[2], distinct[0]]);
        var exact = new ExactGramSampler(spec, distinct);
        var exactRep = new ExactGramSampler(spec, repeated);
        uint cell = CellKey.Of(spec);
        var pos = Enumerable.Range(0, 300).Select(t => exact.Sample(RandomStream.For(5, cell, (uint)t)).Summarize()).ToArray();
        var rep = Enumerable.Range(0, 50).Select(t => exactRep.Sample(RandomStream.For(5, cell, (uint)t)).Summarize()).ToArray();
        GramMatrix[] gram, ntk;
        using (var net = DenseNetwork.Draw(spec, 40, 6, CPU))
        {
            var r = net.Gram(distinct, spec.TauSchedule());
            (gram, ntk) = (r.Gram, r.Ntk!);
        }
        Assert.Multiple(() =>
        {
            Assert.That(pos.All(s => s.Positive && s.LogMinEig.HasValue && s.RelMinEig > 1e-6), Is.True, "exact Gram: λ_min > 0 for distinct inputs");
            Assert.That(gram.All(g => g.Summarize() is { Positive: true, RelMinEig: > 1e-6 }), Is.True, "dense Gram: λ_min > 0");
            Assert.That(ntk.All(k => k.Summarize() is { Positive: true, RelMinEig: > 1e-6 }), Is.True, "dense NTK: λ_min > 0");
            Assert.That(rep.All(s => Math.Abs(s.RelMinEig) < 1e-10), Is.True, "a repeated input makes G singular");
        });
    }

    [Test]
    public void TheExactSamplerIsAPureFunctionOfItsStream()
    {
        var spec = new NetworkSpec(40, 10, TauRule.Constant(1.0));
        var s1 = new ExactGramSampler(spec, Four);
        var s2 = new ExactGramSampler(spec, Four);
        var a = s1.Sample(RandomStream.For(1, 2, 3));
        s1.Sample(RandomStream.For(1, 2, 4));
        var b = s1.Sample(RandomStream.For(1, 2, 3));
        var c = s2.Sample(RandomStream.For(1, 2, 3));
        var d = s2.Sample(RandomStream.For(1, 2, 4));
        Assert.Multiple(() =>
        {
            Assert.That(b.Normalized, Is.EqualTo(a.Normalized));
            Assert.That(b.LogScale, Is.EqualTo(a.LogScale));
            Assert.That(c.Normalized, Is.EqualTo(a.Normalized));
            Assert.That(d.LogScale, Is.Not.EqualTo(a.LogScale));
        });
    }

    [TestCase(BlockKind.Post, Activation.Relu)]
    [TestCase(BlockKind.Post, Activation.Tanh)]
    [TestCase(BlockKind.Res1, Activation.Relu)]
    [TestCase(BlockKind.Res3, Activation.Relu)]
    [TestCase(BlockKind.Res3, Activation.Tanh)]
    public void GramAndNtkMatchAutogradOnTheSameWeights(BlockKind block, Activation act)
    {
        using var scope = NewDisposeScope();
        const int m = 6, L = 3, T = 2;
        var spec = new NetworkSpec(m, L, TauRule.Parse("0.4+0.1*l"), block, act, inputDim: 5);
        var tau = spec.TauSchedule();
        var inputs = GramInputs.RandomSphere(2, 3, 5);
        using var net = DenseNetwork.Draw(spec, T, 23, CPU);
        var (gram, ntk) = net.Gram(inputs, tau);
        Tensor Phi(Tensor u) => act == Activation.Relu ? nn.functional.relu(u) : tanh(u);
        Tensor MatVec(Tensor w, Tensor v) => matmul(w, v.unsqueeze(-1)).squeeze(-1);
        for (int t = 0; t < T; t++)
        {
            var W = net.BlockWeights.Select(w => w[t].detach().clone().requires_grad_(true)).ToArray();
            var V = net.OuterWeights?.Select(v => v[t].detach().clone().requires_grad_(true)).ToArray();
            var parameters = V is null ? W : W.Concat(V).ToArray();
            var hL = new Tensor[inputs.Count];
            var grads = new double[inputs.Count][];
            for (int i = 0; i < inputs.Count; i++)
            {
                var h = Phi(MatVec(net.InputWeights[t], tensor(inputs[i], float64)));
                for (int l = 0; l < L; l++)
                    h = block switch
                    {
                        BlockKind.Post => Phi(h + tau[l] * MatVec(W[l], h)),
                        BlockKind.Res1 => h + tau[l] * MatVec(W[l], Phi(h)),
                        _ => h + tau[l] * MatVec(V![l], Phi(MatVec(W[l], h))),
                    };
                hL[i] = h.detach();
                var f = (net.OutputWeights[t][0] * h).sum();
                grads[i] = autograd.grad(new[] { f }, parameters).SelectMany(g => g.contiguous().data<double>().ToArray()).ToArray();
            }
            double gmax = 0, kmax = 0;
            for (int i = 0; i < inputs.Count; i++)
                for (int j = 0; j < inputs.Count; j++)
                {
                    gmax = Math.Max(gmax, Math.Abs((hL[i] * hL[j]).sum().item<double>()));
                    kmax = Math.Max(kmax, Math.Abs(grads[i].Zip(grads[j], (x, y) => x * y).Sum()));
                }
            Assert.Multiple(() =>
            {
                for (int i = 0; i < inputs.Count; i++)
                    for (int j = 0; j < inputs.Count; j++)
                    {
                        double g = (hL[i] * hL[j]).sum().item<double>();
                        double k = grads[i].Zip(grads[j], (x, y) => x * y).Sum();
                        Assert.That(Math.Exp(gram[t].LogScale) * gram[t][i, j], Is.EqualTo(g).Within(1e-10 * gmax), $"G[{i},{j}] trial {t}");
                        Assert.That(Math.Exp(ntk![t].LogScale) * ntk[t][i, j], Is.EqualTo(k).Within(1e-10 * kmax), $"K[{i},{j}] trial {t}");
                    }
            });
        }
    }
}

using StabilityLab.Models;
using StabilityLab.Torch.Networks;
using StabilityLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// The TorchSharp module is the paper's network: its forward pass equals docs/science.md §1 evaluated by hand from its own
/// weights, its autograd gradients equal central finite differences (float64), and its initialization has the
/// paper's variances and the common-random-number layout.
/// </summary>
[TestFixture]
public sealed class ResNetModuleTests
{
    private static IEnumerable<TestCaseData> Blocks()
    {
        foreach (var block in new[] { BlockKind.Post, BlockKind.Res1, BlockKind.Res3 })
            foreach (var act in new[] { Activation.Relu, Activation.Tanh })
                yield return new TestCaseData(block, act).SetArgDisplayNames(block.Name(), act.Name());
    }

    [TestCaseSource(nameof(Blocks))]
    public void ForwardEqualsTheFormulaEvaluatedByHand(BlockKind block, Activation act)
    {
        var spec = Tiny.Spec(width: 5, depth: 4, tau: "1/sqrt(l*log(l+1)^2)", block: block, activation: act);
        var data = Tiny.Data(n: 3);
        using var model = new ResNetModule(spec, 11, ScalarType.Float64, CPU);
        using var x = tensor(data.Train.Inputs, new long[] { 3, 3 }, ScalarType.Float64);
        using var y = model.forward(x);
        var got = y.data<double>().ToArray();

        double[,] M(Tensor t) { var a = t.data<double>().ToArray(); int r = (int)t.shape[0], c = (int)t.shape[1]; var m = new double[r, c]; for (int i = 0; i < r; i++) for (int j = 0; j < c; j++) m[i, j] = a[i * c + j]; return m; }
        double[] MatVec(double[,] m, double[] v) { var o = new double[m.GetLength(0)]; for (int i = 0; i < o.Length; i++) for (int j = 0; j < v.Length; j++) o[i] += m[i, j] * v[j]; return o; }
        double Phi(double u) => act == Activation.Relu ? Math.Max(u, 0) : Math.Tanh(u);
        var A = M(model.InputWeights);
        var B = M(model.OutputWeights);
        var tau = spec.TauSchedule();
        for (int i = 0; i < 3; i++)
        {
            var xi = data.Train.Inputs.Skip(3 * i).Take(3).ToArray();
            var h = MatVec(A, xi).Select(Phi).ToArray();
            for (int l = 1; l <= spec.Depth; l++)
            {
                var W = M(model.BranchWeights(l));
                double[] next = new double[h.Length];
                switch (block)
                {
                    case BlockKind.Post:
                        var wh = MatVec(W, h);
                        for (int k = 0; k < h.Length; k++) next[k] = Phi(h[k] + tau[l - 1] * wh[k]);
                        break;
                    case BlockKind.Res1:
                        var wp = MatVec(W, h.Select(Phi).ToArray());
                        for (int k = 0; k < h.Length; k++) next[k] = h[k] + tau[l - 1] * wp[k];
                        break;
                    default:
                        var V = M(model.SecondBranchWeights(l));
                        var vw = MatVec(V, MatVec(W, h).Select(Phi).ToArray());
                        for (int k = 0; k < h.Length; k++) next[k] = h[k] + tau[l - 1] * vw[k];
                        break;
                }
                h = next;
            }
            var yi = MatVec(B, h);
            for (int k = 0; k < 2; k++)
                Assert.That(got[i * 2 + k], Is.EqualTo(yi[k]).Within(1e-12), $"example {i}, output {k}");
        }
    }

    [TestCaseSource(nameof(Blocks))]
    public void GradientsEqualFiniteDifferences(BlockKind block, Activation act)
    {
        var spec = Tiny.Spec(width: 4, depth: 3, block: block, activation: act);
        var data = Tiny.Data(n: 4);
        using var model = new ResNetModule(spec, 3, ScalarType.Float64, CPU);
        var parameters = model.SetTrained(TrainedParameters.All);
        using var x = tensor(data.Train.Inputs, new long[] { 4, 3 }, ScalarType.Float64);
        using var t = tensor(data.Train.Targets, new long[] { 4, 2 }, ScalarType.Float64);

        double Loss()
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return ResNetModule.SquaredLoss(model.forward(x), t).ToDouble();
        }

        model.zero_grad();
        using (var scope = NewDisposeScope())
            ResNetModule.SquaredLoss(model.forward(x), t).backward();
        const double eps = 1e-6;
        int checkedEntries = 0;
        double worst = 0;
        foreach (var p in parameters)
        {
            var grad = p.grad!.data<double>().ToArray();
            var flat = p.detach().view(-1);
            for (int k = 0; k < grad.Length; k++)
            {
                double orig = flat[k].ToDouble();
                using (no_grad()) flat[k] = orig + eps;
                double up = Loss();
                using (no_grad()) flat[k] = orig - eps;
                double down = Loss();
                using (no_grad()) flat[k] = orig;
                double fd = (up - down) / (2 * eps);
                // Central differences are exact to O(ε²) ≈ 1e-12 up to round-off ≈ 1e-16·F/ε ≈ 1e-9: a wrong
                // gradient is off by O(1) relative, far above 1e-6 relative + 1e-7 absolute.
                double err = Math.Abs(fd - grad[k]) / (1e-6 * Math.Abs(grad[k]) + 1e-7);
                worst = Math.Max(worst, err);
                checkedEntries++;
            }
        }
        int expected = 4 * 3 + 3 * 16 * (block == BlockKind.Res3 ? 2 : 1) + 2 * 4;
        Assert.Multiple(() =>
        {
            Assert.That(checkedEntries, Is.EqualTo(expected), "every entry of A, W_l (V_l) and B is checked");
            Assert.That(worst, Is.LessThan(1), "largest gap between autograd and central differences, in units of 1e-6·|g| + 1e-7");
        });
    }

    [Test]
    public void OnlyTheBranchWeightsTrainByDefault()
    {
        var spec = Tiny.Spec(block: BlockKind.Res3);
        using var model = new ResNetModule(spec, 1, ScalarType.Float64, CPU);
        var hidden = model.SetTrained(TrainedParameters.Hidden);
        Assert.Multiple(() =>
        {
            Assert.That(hidden, Has.Count.EqualTo(2 * spec.Depth), "W_l and V_l of every block");
            Assert.That(model.InputWeights.requires_grad, Is.False);
            Assert.That(model.OutputWeights.requires_grad, Is.False);
            Assert.That(model.parameters().Count(), Is.EqualTo(2 * spec.Depth + 2), "A, W, V, B are registered module parameters");
        });
        var all = model.SetTrained(TrainedParameters.All);
        Assert.That(all, Has.Count.EqualTo(2 * spec.Depth + 2));
        Assert.That(model.InputWeights.requires_grad, Is.True);
    }

    [Test]
    public void InitializationHasThePapersVariances()
    {
        var spec = new NetworkSpec(512, 2, TauRule.Parse("1/sqrt(L)"), inputDim: 64, outputDim: 4);
        using var model = new ResNetModule(spec, 5, ScalarType.Float64, CPU);
        double Var(Tensor t) => t.square().mean().ToDouble();
        double Mean(Tensor t) => t.mean().ToDouble();
        Assert.Multiple(() =>
        {
            // 32768, 262144 and 2048 entries: relative standard errors about 0.8%, 0.3% and 3%.
            Assert.That(Var(model.InputWeights) / (2.0 / 512), Is.EqualTo(1).Within(0.04), "A ~ N(0, 2/m)");
            Assert.That(Var(model.BranchWeights(1)) / (2.0 / 512), Is.EqualTo(1).Within(0.015), "W_1 ~ N(0, 2/m)");
            Assert.That(Var(model.BranchWeights(2)) / (2.0 / 512), Is.EqualTo(1).Within(0.015), "W_2 ~ N(0, 2/m)");
            Assert.That(Var(model.OutputWeights) / (1.0 / 4), Is.EqualTo(1).Within(0.15), "B ~ N(0, 1/d)");
            Assert.That(Mean(model.BranchWeights(1)), Is.EqualTo(0).Within(5 * Math.Sqrt(2.0 / 512 / 262144)));
        });
    }

    [Test]
    public void UniformWeightsHaveTheSameVarianceAndBound()
    {
        var spec = new NetworkSpec(256, 1, TauRule.Parse("1"), weights: WeightLaw.Uniform, inputDim: 8);
        using var model = new ResNetModule(spec, 5, ScalarType.Float64, CPU);
        var w = model.BranchWeights(1);
        double v = 2.0 / 256;
        Assert.That(w.square().mean().ToDouble() / v, Is.EqualTo(1).Within(0.02));
        Assert.That(w.abs().max().ToDouble(), Is.LessThanOrEqualTo(Math.Sqrt(3 * v)));
        Assert.That(w.abs().max().ToDouble(), Is.GreaterThan(0.99 * Math.Sqrt(3 * v)));
    }

    [Test]
    public void EveryDepthAndTauOfASeedSharesItsDraws()
    {
        using var shallow = new ResNetModule(Tiny.Spec(depth: 2, tau: "1"), 9, ScalarType.Float64, CPU);
        using var deep = new ResNetModule(Tiny.Spec(depth: 5, tau: "1/sqrt(L)"), 9, ScalarType.Float64, CPU);
        using var other = new ResNetModule(Tiny.Spec(depth: 2, tau: "1"), 10, ScalarType.Float64, CPU);
        using var single = new ResNetModule(Tiny.Spec(depth: 2, tau: "1"), 9, ScalarType.Float32, CPU);
        double[] D(Tensor t) => t.to(ScalarType.Float64).data<double>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(D(deep.InputWeights), Is.EqualTo(D(shallow.InputWeights)));
            Assert.That(D(deep.BranchWeights(2)), Is.EqualTo(D(shallow.BranchWeights(2))));
            Assert.That(D(deep.OutputWeights), Is.EqualTo(D(shallow.OutputWeights)));
            Assert.That(D(other.BranchWeights(1)), Is.Not.EqualTo(D(shallow.BranchWeights(1))));
            Assert.That(D(single.BranchWeights(1)), Is.EqualTo(D(shallow.BranchWeights(1).to(ScalarType.Float32))), "float32 = rounded float64 init");
        });
    }
}

using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Networks;
using StabilityLab.Torch.Spectral;
using StabilityLab.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Torch;

/// <summary>
/// The back-ends of the block interpreter agree on one network: the training module (rows layout, autograd) and the
/// spectral tools (batched layouts, explicit Jacobians and NTK backward) given the module's own weights. The Gram matrix
/// of h_L, the NTK of f = b₁ᵀ h_L over the block weights, and the chain J_L···J_1 of layer Jacobians are each compared
/// with what autograd through the module's forward pass gives.
/// </summary>
[TestFixture]
public sealed class BlockInterpreterTests
{
    private const int Width = 5, Depth = 3, InputDim = 3, OutputDim = 2, Inputs = 4;
    private const double Tolerance = 1e-10; // float64, exact algebra in a different summation order

    private static IEnumerable<TestCaseData> Blocks()
    {
        foreach (var block in new[] { BlockKind.Post, BlockKind.Res1, BlockKind.Res3 })
            foreach (var act in new[] { Activation.Relu, Activation.Tanh, Activation.Identity })
                yield return new TestCaseData(block, act).SetArgDisplayNames(block.Name(), act.Name());
    }

    private static NetworkSpec Spec(BlockKind block, Activation act) =>
        new(Width, Depth, TauRule.Parse("1/sqrt(l*log(l+1)^2)"), block, act, WeightLaw.Gaussian, InputDim, OutputDim);

    /// <summary>The module's weights as a batch of one network.</summary>
    private static DenseNetwork Dense(ResNetModule model)
    {
        var spec = model.Spec;
        var w = Enumerable.Range(1, Depth).Select(l => model.BranchWeights(l).unsqueeze(0)).ToArray();
        var v = spec.Block == BlockKind.Res3 ? Enumerable.Range(1, Depth).Select(l => model.SecondBranchWeights(l).unsqueeze(0)).ToArray() : null;
        return DenseNetwork.FromWeights(spec, model.InputWeights.unsqueeze(0), w, v, model.OutputWeights.unsqueeze(0));
    }

    [TestCaseSource(nameof(Blocks))]
    public void GramAndNtkOfTheSpectralToolsEqualAutogradThroughTheModule(BlockKind block, Activation act)
    {
        var spec = Spec(block, act);
        using var scope = NewDisposeScope();
        using var model = new ResNetModule(spec, 21, ScalarType.Float64, CPU);
        using var net = Dense(model);
        var inputs = GramInputs.RandomSphere(5, Inputs, InputDim);
        var (gram, ntk) = net.Gram(inputs, spec.TauSchedule());

        var X = tensor(Enumerable.Range(0, Inputs).SelectMany(i => inputs[i]).ToArray(), new long[] { Inputs, InputDim }, float64);
        var features = model.Features(X).detach();
        var expectedGram = features.matmul(features.t()).data<double>().ToArray();

        var hidden = model.Trained(TrainedParameters.Hidden).Cast<Tensor>().ToList();
        var grads = new double[Inputs][];
        for (int i = 0; i < Inputs; i++)
        {
            var y = model.forward(X.narrow(0, i, 1))[0, 0];
            grads[i] = autograd.grad([y], hidden).SelectMany(g => g.contiguous().data<double>().ToArray()).ToArray();
        }
        var expectedNtk = new double[Inputs * Inputs];
        for (int i = 0; i < Inputs; i++)
            for (int j = 0; j < Inputs; j++)
                expectedNtk[i * Inputs + j] = grads[i].Zip(grads[j], (a, b) => a * b).Sum();

        AssertEntries(gram[0], expectedGram, "Gram");
        AssertEntries(ntk![0], expectedNtk, "NTK");
    }

    [TestCaseSource(nameof(Blocks))]
    public void LayerJacobiansChainToTheModulesInputJacobian(BlockKind block, Activation act)
    {
        var spec = Spec(block, act);
        using var scope = NewDisposeScope();
        using var model = new ResNetModule(spec, 22, ScalarType.Float64, CPU);
        using var net = Dense(model);
        var x0 = DenseNetwork.DefaultInput(InputDim);
        var J = net.LayerJacobians(spec.TauSchedule(), x0);      // L × 1 × m × m

        // ∂h_L/∂x = J_L···J_1 diag φ'(A x) A.
        var A = model.InputWeights.detach();
        var u = A.matmul(tensor(x0, float64)).data<double>().ToArray();
        var dphi = u.Select(z => act switch
        {
            Activation.Relu => z > 0 ? 1.0 : 0.0,
            Activation.Tanh => 1 - Math.Tanh(z) * Math.Tanh(z),
            _ => 1.0,
        }).ToArray();
        var chain = tensor(dphi, float64).unsqueeze(-1) * A;
        for (int l = 0; l < Depth; l++) chain = J[l, 0].matmul(chain);
        var got = chain.data<double>().ToArray();

        var x = tensor(x0, new long[] { 1, InputDim }, float64).requires_grad_(true);
        var h = model.Features(x);
        var expected = new double[Width * InputDim];
        for (int k = 0; k < Width; k++)
            autograd.grad([h[0, k]], [x], retain_graph: true)[0].data<double>().ToArray().CopyTo(expected, k * InputDim);

        double scale = expected.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0));
        for (int e = 0; e < expected.Length; e++)
            Assert.That(got[e], Is.EqualTo(expected[e]).Within(Tolerance * scale), $"entry {e}");
    }

    private static void AssertEntries(GramMatrix got, double[] expected, string what)
    {
        double scale = expected.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0), what);
        for (int i = 0; i < Inputs; i++)
            for (int j = 0; j < Inputs; j++)
                Assert.That(Math.Exp(got.LogScale) * got[i, j], Is.EqualTo(expected[i * Inputs + j]).Within(Tolerance * scale), $"{what} ({i}, {j})");
    }
}

using StabilityLab.Models;
using StabilityLab.Torch;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Networks;
using StabilityLab.Torch.Training;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// The explicit backward pass against libtorch's autograd, an independent implementation of the same gradient: every
/// block, activation and set of trained weights moves the same weights by the same amount, and a 10⁻⁶ change of the step
/// is caught, so the comparison could see a wrong τ power or a missing factor.
/// </summary>
[TestFixture]
public sealed class ExplicitGradientDescentTests
{
    // Float64 rounding through 4 blocks and 10 steps stays near 10⁻¹⁴ of the displacement; a 10⁻⁶ error of the update
    // shows as 10⁻⁶. The tolerance sits between, three orders from each.
    private const double Tolerance = 1e-9;
    private const int Steps = 10;
    private const double Eta = 0.02;

    private static readonly TrainingData Data = Tiny.Data(n: 5, p: 3, d: 2, seed: 11);

    [Test]
    public void MovesTheWeightsAsAutogradDoes(
        [Values(BlockKind.Post, BlockKind.Res1, BlockKind.Res3)] BlockKind block,
        [Values(Activation.Relu, Activation.Tanh)] Activation activation,
        [Values(TrainedParameters.Hidden, TrainedParameters.All)] TrainedParameters trained)
    {
        var spec = Tiny.Spec(width: 8, depth: 4, block: block, activation: activation);
        var reference = DisplacementByAutograd(spec, trained, Eta);
        var explicitStep = DisplacementByExplicitStep(spec, trained, Eta);
        Assert.That(reference.Count, Is.EqualTo(explicitStep.Count));
        for (int i = 0; i < reference.Count; i++)
            Assert.That(RelativeDistance(explicitStep[i], reference[i]), Is.LessThan(Tolerance), $"parameter {i} of {reference.Count}");
    }

    [Test]
    public void ACatchesAStepOffByOnePartInAMillion()
    {
        var spec = Tiny.Spec(width: 8, depth: 4);
        var reference = DisplacementByAutograd(spec, TrainedParameters.Hidden, Eta);
        var off = DisplacementByExplicitStep(spec, TrainedParameters.Hidden, Eta * (1 + 1e-6));
        Assert.That(Enumerable.Range(0, reference.Count).Max(i => RelativeDistance(off[i], reference[i])), Is.GreaterThan(100 * Tolerance));
    }

    [Test]
    public void TheTrainerGivesTheSameCurvesEitherWay([Values(LossReduction.Sum, LossReduction.Mean)] LossReduction reduction)
    {
        // With held-out data, so the test loss is evaluated on the weights the explicit step writes back.
        var spec = Tiny.Spec(width: 8, depth: 4, block: BlockKind.Res1);
        var data = Tiny.Data(n: 5, p: 3, d: 2, seed: 11, test: 4);
        var options = new TrainingOptions { StepSize = Eta, Steps = 20, StopLossRatio = 0, EvalEvery = 5, Reduction = reduction, Trained = TrainedParameters.All };
        var byExplicit = Trainer.Run(spec, data, options, seed: 3);
        var byAutograd = Trainer.Run(spec, data, options with { Backward = BackwardPass.Autograd }, seed: 3);
        Assert.Multiple(() =>
        {
            Assert.That(byExplicit.Curve.Select(c => c.Step), Is.EqualTo(byAutograd.Curve.Select(c => c.Step)));
            Assert.That(byExplicit.Curve.Select(c => c.Loss), Is.EqualTo(byAutograd.Curve.Select(c => c.Loss)).Within(1e-9).Percent);
            Assert.That(byExplicit.Curve.Select(c => c.TestLoss!.Value), Is.EqualTo(byAutograd.Curve.Select(c => c.TestLoss!.Value)).Within(1e-9).Percent);
            Assert.That(byExplicit.RelativeWeightChange!.Value, Is.EqualTo(byAutograd.RelativeWeightChange!.Value).Within(1e-9).Percent);
            Assert.That(byExplicit.FinalLoss, Is.LessThan(0.5 * byExplicit.InitialLoss), "the runs moved");
        });
    }

    [Test]
    public void OnlyGradientDescentOnBlocksWithTheStepUsesIt()
    {
        var gd = new TrainingOptions();
        Assert.Multiple(() =>
        {
            Assert.That(gd.BackwardFor(Tiny.Spec()), Is.EqualTo(BackwardPass.Explicit));
            Assert.That(gd.BackwardFor(Tiny.Spec(block: BlockKind.PostBn)), Is.EqualTo(BackwardPass.Autograd));
            Assert.That((gd with { Optimizer = OptimizerKind.Sgd }).BackwardFor(Tiny.Spec()), Is.EqualTo(BackwardPass.Autograd));
            Assert.That((gd with { Backward = BackwardPass.Autograd }).BackwardFor(Tiny.Spec()), Is.EqualTo(BackwardPass.Autograd));
        });
    }

    /// <summary>θ_T − θ_0 for every trained parameter after <see cref="Steps"/> autograd steps of F = Σ ½‖f − y‖².</summary>
    private static List<Tensor> DisplacementByAutograd(NetworkSpec spec, TrainedParameters trained, double eta) =>
        Displacement(spec, trained, (model, parameters, x, y) =>
        {
            using var step = new GradientStep(parameters, eta, 0);
            for (int t = 0; t < Steps; t++)
            {
                using var scope = NewDisposeScope();
                step.ZeroGrad();
                ResNetModule.SquaredLoss(model.forward(x), y).backward();
                step.Step();
            }
        });

    private static List<Tensor> DisplacementByExplicitStep(NetworkSpec spec, TrainedParameters trained, double eta) =>
        Displacement(spec, trained, (model, _, x, y) =>
        {
            using var step = new ExplicitGradientDescent(model, trained, eta);
            for (int t = 0; t < Steps; t++)
            {
                using var scope = NewDisposeScope();
                step.Forward(x);
                step.Step(y);
            }
            step.WriteBack();
        });

    /// <summary>The network of seed 5, trained by <paramref name="train"/> on the data: how far each trained parameter moved.</summary>
    private static List<Tensor> Displacement(NetworkSpec spec, TrainedParameters trained, Action<ResNetModule, IReadOnlyList<Parameter>, Tensor, Tensor> train)
    {
        var (model, parameters) = Trainer.Initialize(spec, 5, new TrainingOptions { Trained = trained }, CPU);
        using var _ = model;
        var start = parameters.Select(p => p.detach().clone()).ToList();
        using var x = Inputs();
        using var y = Targets();
        train(model, parameters, x, y);
        return Displacements(parameters, start);
    }

    private static List<Tensor> Displacements(IReadOnlyList<Parameter> now, List<Tensor> start)
    {
        using var noGrad = no_grad();
        return now.Select((p, i) => (p.detach() - start[i]).DetachFromDisposeScope()).ToList();
    }

    private static Tensor Inputs() => tensor(Data.Train.Inputs, new long[] { Data.Train.Count, Data.InputDim }, ScalarType.Float64);

    private static Tensor Targets() => tensor(Data.Train.Targets, new long[] { Data.Train.Count, Data.OutputDim }, ScalarType.Float64);

    private static double RelativeDistance(Tensor a, Tensor b)
    {
        using var scope = NewDisposeScope();
        double scale = b.norm().Item();
        Assert.That(scale, Is.GreaterThan(0), "the parameter moved");
        return (a - b).norm().Item() / scale;
    }
}

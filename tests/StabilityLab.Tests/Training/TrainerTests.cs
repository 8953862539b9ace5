using StabilityLab.Models;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Training;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>The trainer: loss falls on a tiny problem, divergence is an outcome, and a seed reproduces a run bit for bit.</summary>
[TestFixture]
public sealed class TrainerTests
{
    // n = 8 unit inputs in R^4, m = 64, L = 8, τ = 1/√L, W only, full-batch GD on F = Σ ½‖·‖².
    private static readonly NetworkSpec Small = new(64, 8, TauRule.Parse("1/sqrt(L)"), inputDim: 4, outputDim: 1);
    private static readonly TrainingData SmallData = new SyntheticData(8, 4).Load(3);

    [Test]
    public void GradientDescentDrivesTheLossBelowOneThousandthOfItsStart()
    {
        // 1000 steps: the slowest direction of this draw's NTK (λ_min) sets the late rate; at 400 steps F fell to 1.2·10⁻².
        var run = Trainer.Run(Small, SmallData, new TrainingOptions { StepSize = 2e-3, Steps = 1000, StopLossRatio = 0 }, seed: 1);
        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Completed));
            Assert.That(run.Curve, Has.Count.EqualTo(1001), "one row per step, steps 0..1000");
            Assert.That(run.Curve[0].Loss, Is.EqualTo(run.InitialLoss));
            Assert.That(run.FinalLoss / run.InitialLoss, Is.LessThan(1e-3), "stated value: F_1000 < 10⁻³ F_0");
            Assert.That(run.RelativeWeightChange, Is.GreaterThan(0).And.LessThan(0.2), "training stays near the initialization");
            Assert.That(run.Curve.Select(c => c.MeanLoss * 8), Is.EqualTo(run.Curve.Select(c => c.Loss)).Within(1e-9).Percent);
        });
        var rate = RateFit.Fit(run.Curve);
        Assert.That(rate, Is.Not.Null);
        Assert.That(rate!.Rate, Is.GreaterThan(0));
        Assert.That(rate.Lower, Is.LessThan(rate.Rate).And.GreaterThan(0));
    }

    [Test]
    public void SgdWithMomentumAlsoTrainsAndEvaluatesOnSchedule()
    {
        var opts = new TrainingOptions
        {
            Optimizer = OptimizerKind.Sgd, StepSize = 0.05, Momentum = 0.9, BatchSize = 4, Steps = 120,
            Reduction = LossReduction.Mean, EvalEvery = 10, StopLossRatio = 0,
        };
        var run = Trainer.Run(Small, SmallData, opts, seed: 1);
        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Completed));
            Assert.That(run.Curve.Select(c => c.Step), Is.EqualTo(Enumerable.Range(0, 13).Select(k => 10 * k)));
            Assert.That(run.FinalLoss / run.InitialLoss, Is.LessThan(0.05));
        });
    }

    [Test]
    public void StopsWhenTheLossReachesTheStopRatio()
    {
        var run = Trainer.Run(Small, SmallData, new TrainingOptions { StepSize = 2e-3, Steps = 2000, StopLossRatio = 1e-2 }, seed: 1);
        // The stop is measured from the smaller of the initial loss and the zero predictor's, ½Σy² of the data.
        double zero = 0.5 * SmallData.Train.Targets.Sum(y => y * y);
        double reference = Math.Min(run.InitialLoss, zero);
        Assert.Multiple(() =>
        {
            Assert.That(run.ZeroLoss, Is.EqualTo(zero).Within(1e-12).Percent);
            Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Converged));
            Assert.That(run.StepsDone, Is.LessThan(2000));
            Assert.That(run.FinalLoss, Is.LessThanOrEqualTo(1e-2 * reference));
            Assert.That(run.Curve[^2].Loss, Is.GreaterThan(1e-2 * reference));
        });
    }

    [Test]
    public void AHugeStepSizeIsRecordedAsDivergenceNotACrash()
    {
        var run = Trainer.Run(Small, SmallData, new TrainingOptions { StepSize = 10, Steps = 200 }, seed: 1);
        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Diverged));
            Assert.That(run.DivergedAtStep, Is.Not.Null.And.GreaterThan(0).And.LessThan(200));
            Assert.That(run.StepsDone, Is.EqualTo(run.DivergedAtStep));
            Assert.That(run.Curve.All(c => double.IsFinite(c.Loss) && double.IsFinite(c.MeanLoss)), Is.True, "no NaN or ∞ in the curve");
            Assert.That(run.Curve, Has.Count.EqualTo(run.DivergedAtStep!.Value), "rows up to the step before divergence");
        });
    }

    [Test]
    public void TauOneAtDepth256OverflowsFloat32AndIsRecordedAsDivergenceAtStepZero()
    {
        // (1 + τ²)^L ≥ 2^256 > float32's range: the output is ∞ already at initialization.
        var spec = new NetworkSpec(16, 256, TauRule.Parse("1"), inputDim: 4, outputDim: 1);
        var run = Trainer.Run(spec, SmallData, new TrainingOptions { StepSize = 1e-4, Steps = 10, Precision = ScalarType.Float32 }, seed: 1);
        Assert.Multiple(() =>
        {
            Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Diverged));
            Assert.That(run.DivergedAtStep, Is.EqualTo(0));
            Assert.That(run.Curve, Is.Empty);
            Assert.That(run.RelativeWeightChange, Is.EqualTo(0));
        });
    }

    [Test]
    public void ALossAboveTheDivergenceFactorCountsAsDivergence()
    {
        // A step size just large enough to make the loss grow, but slowly: finite yet exploding.
        var opts = new TrainingOptions { StepSize = 0.02, Steps = 300, DivergenceFactor = 10 };
        var run = Trainer.Run(Small, SmallData, opts, seed: 1);
        Assert.That(run.Outcome, Is.EqualTo(TrainingOutcome.Diverged));
        Assert.That(run.Curve.Max(c => c.Loss), Is.LessThanOrEqualTo(10 * run.InitialLoss));
    }

    [Test]
    public void TheSameSeedReproducesARunExactly()
    {
        Assert.That(MklReproducibility.CurrentMode, Is.EqualTo(MklReproducibility.StrictMode), "oneMKL strict reproducibility is requested");
        Assert.That(MklReproducibility.CurrentAtenCapability, Is.EqualTo(MklReproducibility.AtenCapability), "ATen's kernels are pinned");
        foreach (var opts in new[]
                 {
                     new TrainingOptions { StepSize = 2e-3, Steps = 30 },
                     new TrainingOptions { Optimizer = OptimizerKind.Sgd, StepSize = 0.02, BatchSize = 3, Steps = 30, Reduction = LossReduction.Mean, Precision = ScalarType.Float32 },
                 })
        {
            var a = Trainer.Run(Small, SmallData, opts, seed: 4);
            var b = Trainer.Run(Small, SmallData, opts, seed: 4);
            var c = Trainer.Run(Small, SmallData, opts, seed: 5);
            Assert.That(b.Curve.Select(p => p.Loss), Is.EqualTo(a.Curve.Select(p => p.Loss)), $"{opts.Optimizer}: same seed, same curve bit for bit");
            Assert.That(c.Curve.Select(p => p.Loss), Is.Not.EqualTo(a.Curve.Select(p => p.Loss)), $"{opts.Optimizer}: another seed, another curve");
        }
        var d1 = new SyntheticData(8, 4, targets: TargetKind.Teacher).Load(3);
        var d2 = new SyntheticData(8, 4, targets: TargetKind.Teacher).Load(3);
        Assert.That(d2.Train.Inputs, Is.EqualTo(d1.Train.Inputs));
        Assert.That(d2.Train.Targets, Is.EqualTo(d1.Train.Targets));
    }

    [Test]
    public void MismatchedDimensionsAreASpecError()
    {
        var wrong = new NetworkSpec(8, 2, TauRule.Parse("1"), inputDim: 5, outputDim: 1);
        var e = Assert.Throws<SpecException>(() => Trainer.Run(wrong, SmallData, new TrainingOptions(), 1));
        Assert.That(e!.Message, Does.Contain("input dimension"));
    }

    [TestCase(-1e-3, "step size")]
    [TestCase(double.NaN, "step size")]
    public void BadOptionsAreASpecError(double lr, string word)
    {
        var e = Assert.Throws<SpecException>(() => Trainer.Run(Small, SmallData, new TrainingOptions { StepSize = lr }, 1));
        Assert.That(e!.Message, Does.Contain(word));
    }
}

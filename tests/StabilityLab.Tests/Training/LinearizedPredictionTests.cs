using StabilityLab.Models;
using StabilityLab.Spectral;
using StabilityLab.Torch.Networks;
using StabilityLab.Torch.Spectral;
using StabilityLab.Torch.Training;
using static TorchSharp.torch;

namespace StabilityLab.Tests.Training;

/// <summary>
/// The empirical NTK equals the inner products of per-example autograd gradients (every block, both trained sets,
/// d = 2) and the closed form of <see cref="DenseNetwork.Gram"/> (post, W only, d = 1); the linearized curve equals the
/// iterated linear dynamics; it is computed from the trainer's own initial weights; and it follows gradient descent
/// exactly for a network linear in its weights, closely in the lazy regime (wide, short run) and not for a narrow
/// network trained as far.
/// </summary>
[TestFixture]
public sealed class LinearizedPredictionTests
{
    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var block in new[] { BlockKind.Post, BlockKind.Res1, BlockKind.Res3 })
            foreach (var trained in new[] { TrainedParameters.Hidden, TrainedParameters.All })
                yield return new TestCaseData(block, trained).SetArgDisplayNames(block.Name(), trained.Name());
    }

    [TestCaseSource(nameof(Cases))]
    public void NtkEqualsInnerProductsOfPerExampleGradients(BlockKind block, TrainedParameters which)
    {
        var spec = Tiny.Spec(width: 5, depth: 3, block: block, activation: Activation.Tanh, d: 2);
        var data = Tiny.Data(n: 4, d: 2);
        using var model = new ResNetModule(spec, 3, ScalarType.Float64, CPU);
        var trained = model.SetTrained(which);
        using var x = tensor(data.Train.Inputs, new long[] { 4, 3 }, ScalarType.Float64);
        var (theta, outputs, n, d) = EmpiricalNtk.Compute(model, trained.Cast<Tensor>().ToList(), x);

        // Brute force: one backward pass per output f_a(x_i), all trained entries flattened.
        var grads = new double[n * d][];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < d; a++)
            {
                using var y = model.forward(x);
                grads[i * d + a] = autograd.grad([y[i, a]], trained.Cast<Tensor>().ToList())
                    .SelectMany(g => g.contiguous().data<double>().ToArray()).ToArray();
            }
        using var yAll = model.forward(x);
        Assert.That(outputs, Is.EqualTo(yAll.data<double>().ToArray()).Within(1e-14));
        for (int r = 0; r < n * d; r++)
            for (int c = 0; c < n * d; c++)
            {
                double expected = grads[r].Zip(grads[c], (u, v) => u * v).Sum();
                Assert.That(theta[r * n * d + c], Is.EqualTo(expected).Within(1e-12 * (1 + Math.Abs(expected))), $"Θ[{r},{c}]");
            }
    }

    [Test]
    public void NtkMatchesTheClosedFormOfTheDenseNetwork()
    {
        var spec = Tiny.Spec(width: 7, depth: 4, d: 1);
        var data = Tiny.Data(n: 5, d: 1);
        using var model = new ResNetModule(spec, 5, ScalarType.Float64, CPU);
        var trained = model.SetTrained(TrainedParameters.Hidden);
        using var x = tensor(data.Train.Inputs, new long[] { 5, 3 }, ScalarType.Float64);
        var (theta, _, n, _) = EmpiricalNtk.Compute(model, trained.Cast<Tensor>().ToList(), x);

        using var dense = DenseNetwork.FromWeights(spec, model.InputWeights.detach().unsqueeze(0),
            Enumerable.Range(1, 4).Select(l => model.BranchWeights(l).detach().unsqueeze(0)).ToList(), null, model.OutputWeights.detach().unsqueeze(0));
        var inputs = new GramInputs(Enumerable.Range(0, n).Select(i => data.Train.Inputs.AsSpan(i * 3, 3).ToArray()).ToList());
        var ntk = dense.Gram(inputs, spec.TauSchedule()).Ntk![0];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                double expected = Math.Exp(ntk.LogScale) * ntk[i, j];
                Assert.That(theta[i * n + j], Is.EqualTo(expected).Within(1e-10 * Math.Exp(ntk.LogScale)), $"Θ[{i},{j}]");
            }
    }

    [TestCase(LossReduction.Sum)]
    [TestCase(LossReduction.Mean)]
    public void PredictedCurveEqualsTheIteratedLinearDynamics(LossReduction reduction)
    {
        // A random positive semi-definite kernel Θ = G Gᵀ and residual r_0; iterate r ← (I − η s Θ) r by hand.
        const int N = 6;
        var rng = new Random(12);
        var g = new double[N, 4];
        for (int i = 0; i < N; i++) for (int k = 0; k < 4; k++) g[i, k] = rng.NextDouble() - 0.5;
        var theta = new double[N * N];
        for (int i = 0; i < N; i++) for (int j = 0; j < N; j++) for (int k = 0; k < 4; k++) theta[i * N + j] += g[i, k] * g[j, k];
        var r = Enumerable.Range(0, N).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double s = reduction == LossReduction.Sum ? 1.0 : 1.0 / N;
        var p = LinearizedPrediction.FromKernel(theta, r, s, N);
        double eta = 0.7 / p.LambdaMax;
        for (int t = 0; t <= 40; t++)
        {
            double f = 0.5 * r.Sum(v => v * v);
            Assert.That(p.LogLoss(t, eta), Is.EqualTo(Math.Log(f)).Within(1e-10), $"t = {t}");
            var next = new double[N];
            for (int i = 0; i < N; i++)
            {
                next[i] = r[i];
                for (int j = 0; j < N; j++) next[i] -= eta * s * theta[i * N + j] * r[j];
            }
            r = next;
        }
        Assert.That(p.LambdaMin, Is.GreaterThanOrEqualTo(-1e-12), "rank 4 of 6: the two smallest eigenvalues are 0");
    }

    /// <summary>The maximum log gap of a gradient-descent run of a post/ReLU network of width m against its prediction,
    /// with η = 1/λ_max (the step-size rule at c = 1/2) and the run's own rates.</summary>
    private static (PredictionGap Gap, TrainingRun Run, LinearizedPrediction P) Gap(int width, int steps, ScalarType precision = ScalarType.Float64,
        int depth = 2, Activation activation = Activation.Relu, LossReduction reduction = LossReduction.Sum)
    {
        var spec = Tiny.Spec(width: width, depth: depth, p: 4, d: 1, activation: activation);
        var data = Tiny.Data(n: 6, p: 4, d: 1, seed: 21);
        var probe = new TrainingOptions { Steps = steps, StopLossRatio = 0, Precision = precision, Reduction = reduction };
        var p = LinearizedPrediction.AtInitialization(spec, data, probe, 4, CPU)!;
        var options = probe with { StepSize = LinearizedPrediction.StepSizeRule(p.LambdaMax) };
        var run = Trainer.Run(spec, data, options, 4, CPU);
        TestContext.Out.WriteLine($"m = {width}: λ = [{p.LambdaMin:G4}, {p.LambdaMax:G4}], loss ratio {run.FinalLoss / run.InitialLoss:G4}, "
            + $"rate {RateFit.Fit(run.Curve)?.Rate:G4}, weight change {run.RelativeWeightChange:G3}");
        var gap = p.Compare(run.Curve, options.StepSize);
        TestContext.Out.WriteLine($"  predicted rate {gap.Rate?.Rate:G4}, max log gap {gap.LogGap:G4}");
        return (gap, run, p);
    }

    [Test]
    public void PredictionStartsFromTheTrainersWeights()
    {
        var (_, run, p) = Gap(width: 16, steps: 2);
        Assert.That(Math.Exp(p.LogLoss(0, 1.0)), Is.EqualTo(run.InitialLoss).Within(1e-12 * run.InitialLoss),
            "F_pred(0) = ½‖f_0(X) − Y‖² is the trainer's initial loss only with the same initial weights");
        var (_, run32, p32) = Gap(width: 16, steps: 2, ScalarType.Float32);
        Assert.That(Math.Exp(p32.LogLoss(0, 1.0)), Is.EqualTo(run32.InitialLoss).Within(1e-5 * run32.InitialLoss),
            "float32: the trainer's float32 loss, to float32 rounding");
    }

    [TestCase(LossReduction.Sum)]
    [TestCase(LossReduction.Mean)]
    public void NetworkLinearInItsWeightsFollowsThePredictionExactly(LossReduction reduction)
    {
        // φ = identity, L = 1, only W trained: f = B A x + τ B W A x is linear in W, so gradient descent is the linear
        // dynamics exactly and only float64 rounding (≈1e-15 per step) separates the curves; in both normalizations.
        var (gap, run, _) = Gap(width: 16, steps: 20, depth: 1, activation: Activation.Identity, reduction: reduction);
        Assert.That(run.FinalLoss / run.InitialLoss, Is.LessThan(0.5), "the run must train, or the comparison is empty");
        Assert.That(gap.LogGap, Is.LessThan(1e-9));
        Assert.That(gap.Rate!.Rate, Is.EqualTo(RateFit.Fit(run.Curve)!.Rate).Within(1e-9));
    }

    // Wide against narrow, both trained 5 steps at η = 1/λ_max (loss down to about a tenth): the kernel moves during
    // training by a relative O(1/√m) (Lee et al. 2019, wide networks evolve as linear models), so the log gap shrinks at
    // least 8-fold from m = 16 to m = 1024; the bounds 0.05 and 0.15 are a factor 3 apart, inside that 8.
    [Test]
    public void WideNetworkFollowsTheLinearizedCurve()
    {
        var (gap, run, _) = Gap(width: 1024, steps: 5);
        Assert.That(run.FinalLoss / run.InitialLoss, Is.LessThan(0.2), "the run must train, or the comparison is empty");
        Assert.That(gap.LogGap, Is.LessThan(0.05));
    }

    [Test]
    public void NarrowNetworkLeavesTheLinearizedCurve()
    {
        var (gap, run, _) = Gap(width: 16, steps: 5);
        Assert.That(run.FinalLoss / run.InitialLoss, Is.LessThan(0.2), "the run must train, or the comparison is empty");
        Assert.That(gap.LogGap, Is.GreaterThan(0.15));
    }

    [Test]
    public void StudyRecordsThePredictionAndReadsOlderFilesWithout()
    {
        var dir = Tiny.TempDir();
        try
        {
            var spec = new TrainingStudySpec(Tiny.Spec(width: 8, p: 3, d: 1), [2], [TauRule.Parse("1/sqrt(L)")], [1], [1e-3],
                new StabilityLab.Torch.Data.SyntheticData(4, 3, 1, StabilityLab.Torch.Data.TargetKind.Random, 0),
                new TrainingOptions { Steps = 10, StopLossRatio = 0 });
            var run = TrainingStudy.Run(spec, dir, device: CPU).Runs.Single();
            Assert.That(run.NtkLambdaMin, Is.Not.Null);
            Assert.That(run.NtkLambdaMax, Is.GreaterThan(run.NtkLambdaMin));
            Assert.That(run.PredictedRate, Is.Not.Null);
            Assert.That(run.CurveGap, Is.GreaterThanOrEqualTo(0));
            var read = TrainingStudy.Read(dir).Runs.Single();
            Assert.That(read.PredictedRate, Is.EqualTo(run.PredictedRate));
            Assert.That(read.CurveGap, Is.EqualTo(run.CurveGap));
            Assert.That(run.ZeroLoss, Is.GreaterThan(0));
            Assert.That(read.ZeroLoss, Is.EqualTo(run.ZeroLoss));

            // A runs.csv written before the prediction's columns: the same run, those values null.
            var path = Path.Combine(dir, TrainingStudy.RunsFile);
            int drop = StabilityLab.Tables.TrainingTables.LinearizedColumns.Count + 1; // and zero_loss
            File.WriteAllLines(path, File.ReadAllLines(path).Select(l => string.Join(',', l.Split(',').SkipLast(drop))));
            var old = TrainingStudy.Read(dir).Runs.Single();
            Assert.That(old.Id, Is.EqualTo(run.Id));
            Assert.That(old.Rate!.Rate, Is.EqualTo(run.Rate!.Rate));
            Assert.That(new[] { old.NtkLambdaMin, old.NtkLambdaMax, old.PredictedRate, old.CurveGap, old.ZeroLoss }, Is.All.Null);
            Assert.That(old.Reference, Is.EqualTo(old.InitialLoss), "without the zero predictor's loss, progress is measured from the start");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Test]
    public void StepSizeRuleOverAGridKeepsEveryDepthInsideTheEdge()
    {
        // λ_max grows with depth, so the rule must hold for the deepest network of the grid too: ηλ_max ≤ 2c there,
        // and gradient descent at that step trains every depth.
        var specs = new[] { 1, 4 }.Select(L => Tiny.Spec(width: 32, depth: L, p: 4, d: 1, tau: "1")).ToList();
        var data = Tiny.Data(n: 6, p: 4, d: 1, seed: 5);
        var options = new TrainingOptions { Steps = 30, StopLossRatio = 0 };
        double eta = LinearizedPrediction.StepSizeRule(specs, data, options, 2);
        var lambdas = specs.Select(s => LinearizedPrediction.AtInitialization(s, data, options, 2, CPU)!.LambdaMax).ToList();
        Assert.That(lambdas[1], Is.GreaterThan(lambdas[0]), "the deeper network's kernel is the larger here");
        foreach (var (spec, lambda) in specs.Zip(lambdas))
        {
            Assert.That(eta * lambda, Is.LessThanOrEqualTo(1.0 + 1e-12), $"L = {spec.Depth}");
            var run = Trainer.Run(spec, data, options with { StepSize = eta }, 2, CPU);
            Assert.That(run.Outcome, Is.Not.EqualTo(TrainingOutcome.Diverged));
            Assert.That(run.FinalLoss, Is.LessThan(run.InitialLoss));
        }
    }

    [Test]
    public void StepSizeRuleRejectsBadInputs()
    {
        Assert.That(LinearizedPrediction.StepSizeRule(8.0, 0.5), Is.EqualTo(0.125));
        Assert.Throws<SpecException>(() => LinearizedPrediction.StepSizeRule(0.0));
        Assert.Throws<SpecException>(() => LinearizedPrediction.StepSizeRule(1.0, 1.0));
    }
}

using System.Diagnostics;
using StabilityLab.Models;
using StabilityLab.Randomness;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// Trains a <see cref="ResNetModule"/> on a <see cref="TrainingData"/> problem by full-batch gradient descent
/// (the theory) or minibatch SGD with momentum, and records the loss curve. A non-finite or exploding loss ends
/// the run with the <see cref="TrainingOutcome.Diverged"/> outcome, never an exception. The result is a pure
/// function of (spec, data, options, seed) on one device and thread count.
/// </summary>
public static class Trainer
{
    /// <param name="spec">The network to train.</param>
    /// <param name="data">Training (and optional test) data.</param>
    /// <param name="options">Optimizer, step size, steps, precision, trainable parts.</param>
    /// <param name="seed">Seed of the initial weights and minibatch order.</param>
    /// <param name="device">Where to train (default: the runtime's device).</param>
    /// <param name="onStep">Called with 1 after each parameter update (progress).</param>
    /// <param name="tensors">The data's tensors, made once for many runs (<see cref="DataTensors"/>); null, or tensors of
    /// other data, precision or device: the run makes its own. The result is the same either way.</param>
    public static TrainingRun Run(NetworkSpec spec, TrainingData data, TrainingOptions options, ulong seed,
        Device? device = null, Action<int>? onStep = null, DataTensors? tensors = null)
    {
        spec.Validate();
        options.Validate();
        if (spec.InputDim != data.InputDim)
            throw new SpecException($"the network's input dimension p = {spec.InputDim} does not match the data's {data.InputDim}");
        if (spec.OutputDim != data.OutputDim)
            throw new SpecException($"the network's output dimension d = {spec.OutputDim} does not match the data's {data.OutputDim}");
        var dev = device ?? TorchRuntime.DefaultDevice;
        var clock = Stopwatch.StartNew();
        var (model, trained) = Initialize(spec, seed, options, dev);
        using var owned = model;
        var shared = tensors is not null && tensors.Holds(data, options.Precision, dev) ? tensors : null;
        using var own = shared is null ? new DataTensors(data, options.Precision, dev) : null;
        var (train, test) = ((shared ?? own)!.Train, (shared ?? own)!.Test);
        bool sgd = options.Optimizer == OptimizerKind.Sgd;
        // Objective scale: F (sum) or F/n (mean); a minibatch estimates it with the factor n/b.
        double scale = options.Reduction == LossReduction.Sum ? 1.0 : 1.0 / train.Count;

        var initial = trained.Select(p => p.detach().clone()).ToList();
        var loop = new Loop(model, train, test, options);
        int t;
        if (options.BackwardFor(spec) == BackwardPass.Explicit)
        {
            using var step = new ExplicitGradientDescent(model, options.Trained, options.StepSize * scale);
            loop.BeforeEvaluate = step.WriteBack;
            t = loop.RunExplicit(step, onStep);
            step.WriteBack();
        }
        else
        {
            using var optimizer = new GradientStep(trained, options.StepSize, sgd ? options.Momentum : 0.0);
            t = sgd ? loop.RunSgd(optimizer, scale, seed, onStep) : loop.RunGradientDescent(optimizer, scale, onStep);
        }
        double change = RelativeChange(trained, initial);
        foreach (var p in initial) p.Dispose();
        return new TrainingRun(loop.Outcome, loop.Curve, t, loop.DivergedAt, loop.InitialLoss, clock.Elapsed.TotalSeconds)
        {
            RelativeWeightChange = double.IsFinite(change) ? change : null,
            TestCorrect = loop.TestCorrect,
            ZeroLoss = double.IsFinite(loop.ZeroLoss) ? loop.ZeroLoss : null,
        };
    }

    /// <summary>The network a run starts from, with the trained weights marked (requires_grad) and returned: one place,
    /// so that anything computed at the initialization (<see cref="LinearizedPrediction"/>) sees the trainer's own weights.</summary>
    public static (ResNetModule Model, IReadOnlyList<TorchSharp.Modules.Parameter> Trained) Initialize(NetworkSpec spec, ulong seed, TrainingOptions options, Device device)
    {
        var model = new ResNetModule(spec, seed, options.Precision, device);
        return (model, model.SetTrained(options.Trained));
    }

    /// <summary>‖θ − θ_0‖ / ‖θ_0‖ over the trained weights (Frobenius norms): how far training moved from the initialization.</summary>
    private static double RelativeChange(IReadOnlyList<TorchSharp.Modules.Parameter> now, IReadOnlyList<Tensor> initial)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        double diff = 0, init = 0;
        for (int i = 0; i < now.Count; i++)
        {
            diff += (now[i] - initial[i]).to(ScalarType.Float64).square().sum().Item();
            init += initial[i].to(ScalarType.Float64).square().sum().Item();
        }
        return Math.Sqrt(diff / init);
    }

    /// <summary>F = Σ_i ½‖f(x_i) − y*_i‖² and the number of correct argmax predictions over a whole split, without gradients.</summary>
    public static (double Loss, long Correct) Evaluate(ResNetModule model, DataSplit split, ScalarType precision, Device? device = null, int chunk = 4096)
    {
        using var s = new SplitTensors(split, precision, device ?? model.Device);
        return Evaluate(model, s, chunk);
    }

    // perImage: filled, when given (one entry per example; needs labels), with whether each example was classified correctly.
    private static (double Loss, long Correct) Evaluate(ResNetModule model, SplitTensors s, int chunk, bool[]? perImage = null)
    {
        using var noGrad = no_grad();
        double loss = 0;
        long correct = 0;
        for (int start = 0; start < s.Count; start += chunk)
        {
            using var scope = NewDisposeScope();
            int rows = Math.Min(chunk, s.Count - start);
            var output = model.forward(s.X.narrow(0, start, rows));
            loss += ResNetModule.SquaredLoss(output, s.Y.narrow(0, start, rows)).Item();
            if (s.Labels is null) continue;
            var hits = output.argmax(1).eq(s.Labels.narrow(0, start, rows));
            correct += hits.sum().ItemLong();
            if (perImage is not null) hits.cpu().data<bool>().CopyTo(perImage, start);
        }
        return (loss, correct);
    }

    private static long CountCorrect(Tensor output, Tensor labels) => output.argmax(1).eq(labels).sum().ItemLong();

    /// <summary>The state of one run's loop: curve, outcome, checks shared by both optimizers.</summary>
    private sealed class Loop(ResNetModule model, SplitTensors train, SplitTensors? test, TrainingOptions options)
    {
        public List<CurvePoint> Curve { get; } = [];
        public TrainingOutcome Outcome { get; private set; } = TrainingOutcome.Completed;
        public int? DivergedAt { get; private set; }
        public double InitialLoss { get; private set; } = double.NaN;

        /// <summary>F_∅ = Σ ½‖y_i‖², the loss of the zero predictor on the training set, by the same loss function.</summary>
        public double ZeroLoss { get; } = ZeroPredictorLoss(train);

        /// <summary>Where a run counts as converged: <see cref="TrainingOptions.StopLossRatio"/> times its reference loss
        /// (<see cref="TrainingRun.ReferenceLoss"/>; a loss ratio alone would stop a network that only shed its own huge output).</summary>
        private double StopBelow => options.StopLossRatio * TrainingRun.ReferenceLoss(InitialLoss, ZeroLoss);

        private static double ZeroPredictorLoss(SplitTensors s)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            return ResNetModule.SquaredLoss(zeros_like(s.Y), s.Y).Item();
        }

        /// <summary>Brings the module's weights up to date before a test evaluation (the explicit step keeps its own copies).</summary>
        public Action? BeforeEvaluate { get; set; }

        /// <summary>The test images classified correctly at the last test evaluation (the row of FinalTestAccuracy).</summary>
        public CorrectImages? TestCorrect { get; private set; }

        /// <summary>Checks the loss at step t and records a row when due; false when the run must stop.</summary>
        private bool Check(int t, double loss, long? correct, bool rowDue)
        {
            if (t == 0) InitialLoss = loss;
            if (!double.IsFinite(loss) || !double.IsFinite(InitialLoss) || (t > 0 && loss > options.DivergenceFactor * InitialLoss))
            {
                Outcome = TrainingOutcome.Diverged;
                DivergedAt = t;
                return false;
            }
            bool converged = options.StopLossRatio > 0 && loss <= StopBelow;
            if (rowDue || converged || t == options.Steps)
            {
                double? testLoss = null, testAcc = null;
                if (test is not null && (t > 0 || options.TestAtStart))
                {
                    BeforeEvaluate?.Invoke();
                    var perImage = test.Labels is null ? null : new bool[test.Count];
                    var (tl, tc) = Evaluate(model, test, options.EvalChunk, perImage);
                    if (double.IsFinite(tl)) testLoss = tl;
                    if (perImage is not null)
                    {
                        testAcc = (double)tc / test.Count;
                        TestCorrect = CorrectImages.From(perImage);
                    }
                }
                double? acc = correct is null ? null : (double)correct.Value / train.Count;
                Curve.Add(new CurvePoint(t, loss, loss / train.Count, acc, testLoss, testAcc));
            }
            if (converged)
            {
                Outcome = TrainingOutcome.Converged;
                return false;
            }
            return t < options.Steps;
        }

        /// <summary>Full-batch gradient descent by autograd: gradients of scale·F, then <paramref name="optimizer"/>'s update.</summary>
        public int RunGradientDescent(GradientStep optimizer, double scale, Action<int>? onStep) => RunFullBatch(
            () =>
            {
                optimizer.ZeroGrad();
                return model.forward(train.X);
            },
            loss =>
            {
                loss.Times(scale).backward();
                optimizer.Step();
            }, onStep);

        /// <summary>Full-batch gradient descent by the explicit backward pass (its step already holds η·scale).</summary>
        public int RunExplicit(ExplicitGradientDescent step, Action<int>? onStep) =>
            RunFullBatch(() => step.Forward(train.X), _ => step.Step(train.Y), onStep);

        /// <summary>The loop both full-batch backward passes share: the output at step t, its loss checked and recorded, then
        /// the update (given the loss tensor) unless the run stops there.</summary>
        private int RunFullBatch(Func<Tensor> forward, Action<Tensor> update, Action<int>? onStep)
        {
            for (int t = 0; ; t++)
            {
                using var scope = NewDisposeScope();
                var output = forward();
                var loss = ResNetModule.SquaredLoss(output, train.Y);
                double f = loss.Item();
                long? correct = train.Labels is null ? null : CountCorrect(output.detach(), train.Labels);
                if (!Check(t, f, correct, t % options.EvalEvery == 0)) return t;
                update(loss);
                onStep?.Invoke(1);
            }
        }

        public int RunSgd(GradientStep optimizer, double scale, ulong seed, Action<int>? onStep)
        {
            int n = train.Count, b = Math.Min(options.BatchSize, n);
            var shuffle = TrainingStreams.Shuffle(seed);
            int epoch = 0, pos = 0;
            var order = TrainingStreams.Permutation(shuffle, RandomStream.Domain(epoch, 1), n);
            var idx = new long[b];
            for (int t = 0; ; t++)
            {
                if (t % options.EvalEvery == 0 || t == options.Steps)
                {
                    var (f, correct) = Evaluate(model, train, options.EvalChunk);
                    if (!Check(t, f, train.Labels is null ? null : correct, rowDue: true)) return t;
                }
                if (pos + b > n)
                {
                    order = TrainingStreams.Permutation(shuffle, RandomStream.Domain(++epoch, 1), n);
                    pos = 0;
                }
                for (int k = 0; k < b; k++) idx[k] = order[pos + k];
                pos += b;
                using var scope = NewDisposeScope();
                optimizer.ZeroGrad();
                var rows = tensor(idx, ScalarType.Int64, model.Device);
                var loss = ResNetModule.SquaredLoss(model.forward(train.X.index_select(0, rows)), train.Y.index_select(0, rows));
                double fb = loss.Item();
                if (!double.IsFinite(fb))
                {
                    Outcome = TrainingOutcome.Diverged;
                    DivergedAt = t;
                    return t;
                }
                loss.Times(scale * n / b).backward();
                optimizer.Step();
                onStep?.Invoke(1);
            }
        }
    }
}

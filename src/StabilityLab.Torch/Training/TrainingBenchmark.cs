using System.Globalization;
using MathNet.Numerics.Statistics;
using StabilityLab.Models;
using StabilityLab.Statistics;
using StabilityLab.Torch.Data;
using StabilityLab.Torch.Networks;
using TorchSharp;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>
/// One training-step benchmark: the paper's post block at width m, depth L, τ = 1/√L, on a batch of b examples of a
/// Fashion-MNIST-shaped problem (p = <see cref="InputDim"/>, d = <see cref="OutputDim"/>).
/// </summary>
public sealed record TrainingBenchmarkSpec(
    int Width = 1024,
    int Depth = 16,
    int Batch = 256,
    ScalarType Precision = ScalarType.Float32,
    TrainedParameters Trained = TrainedParameters.Hidden,
    int Threads = 0,
    int Repeats = 5,
    int InputDim = 784,
    int OutputDim = 10)
{
    public void Validate()
    {
        if (Width < 1 || Depth < 1 || Batch < 1 || InputDim < 1 || OutputDim < 1)
            throw new SpecException("benchmark width, depth, batch and dimensions must be at least 1");
        if (Repeats < 1) throw new SpecException($"--repeats must be at least 1 (got {Repeats})");
        if (Threads < 0) throw new SpecException($"--threads must be 0 (all cores) or more (got {Threads})");
        if (Precision is not (ScalarType.Float32 or ScalarType.Float64)) throw new SpecException("precision must be float32 or float64");
    }
}

/// <summary>
/// The achieved rate of one training step (forward + backward matrix-multiply FLOPs / median step time) against
/// TorchSharp's own matrix multiply of the layer's shape (b × m)·(m × m) timed in the same process: Ratio = step/matmul,
/// for the autograd step (<see cref="StepSeconds"/>) and the explicit one (<see cref="ExplicitStepSeconds"/>,
/// <see cref="ExplicitGradientDescent"/>), timed in turn.
/// </summary>
public sealed record TrainingBenchmarkResult(
    TrainingBenchmarkSpec Spec,
    string Device,
    int Threads,
    double StepSeconds,
    double StepGflop,
    double StepGflops,
    double MatmulGflops,
    double ExplicitStepSeconds)
{
    public double Ratio => StepGflops / MatmulGflops;

    public double ExplicitRatio => StepGflop / ExplicitStepSeconds / MatmulGflops;

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"training step (post, m={Spec.Width}, L={Spec.Depth}, b={Spec.Batch}, {OptionNames.PrecisionName(Spec.Precision)}, train {Spec.Trained.Name()}, {Device}, {Threads} thread(s)): "
        + $"autograd {StepSeconds * 1e3:F1} ms, explicit {ExplicitStepSeconds * 1e3:F1} ms ({StepSeconds / ExplicitStepSeconds:F2}x); {StepGflop:F2} GFLOP -> {StepGflops:F1} and {StepGflop / ExplicitStepSeconds:F1} GFLOP/s; "
        + $"matmul ({Spec.Batch}x{Spec.Width})·({Spec.Width}x{Spec.Width}): {MatmulGflops:F1} GFLOP/s; ratio {100 * Ratio:F0}% and {100 * ExplicitRatio:F0}% (target >= 50%)");
}

/// <summary>Measures <see cref="TrainingBenchmarkResult"/> (a benchmark for the bench command, not a test).</summary>
public static class TrainingBenchmark
{
    /// <summary>
    /// FLOPs of one step, counting matrix multiplies only (2·rows·inner·cols each): forward 2b(mp + Lm² + dm);
    /// backward the weight gradients of the trained layers (2bm² per W_l, plus 2bmp for A and 2bdm for B when all
    /// train) and the activation gradients 2bdm at the output and 2bm² per block whose input carries a gradient
    /// (L − 1 blocks when A is fixed, L when A trains). Element-wise work is not counted.
    /// </summary>
    public static double StepFlops(int width, int depth, int batch, int inputDim, int outputDim, TrainedParameters trained)
    {
        double b = batch, m = width, L = depth, p = inputDim, d = outputDim;
        double forward = 2 * b * (m * p + L * m * m + d * m);
        bool all = trained == TrainedParameters.All;
        double backward = 2 * b * d * m          // ∂F/∂h_L = (y − y*) B
            + L * 2 * b * m * m                  // ∂F/∂W_l
            + (all ? L : L - 1) * 2 * b * m * m  // ∂F/∂h_{l−1} through W_l
            + (all ? 2 * b * m * p + 2 * b * d * m : 0); // ∂F/∂A, ∂F/∂B
        return forward + backward;
    }

    public static TrainingBenchmarkResult Run(TrainingBenchmarkSpec spec, Device? device = null)
    {
        spec.Validate();
        var dev = device ?? TorchRuntime.DefaultDevice;
        int threads = spec.Threads == 0 ? Environment.ProcessorCount : spec.Threads;
        TorchRuntime.SetThreads(threads);
        var net = new NetworkSpec(spec.Width, spec.Depth, TauRule.Parse("1/sqrt(L)"), inputDim: spec.InputDim, outputDim: spec.OutputDim);
        var data = new SyntheticData(spec.Batch, spec.InputDim, spec.OutputDim).Load(1);
        using var model = new ResNetModule(net, 1, spec.Precision, dev);
        var trained = model.SetTrained(spec.Trained);
        using var X = tensor(data.Train.Inputs, new long[] { spec.Batch, spec.InputDim }, ScalarType.Float64).to(spec.Precision, dev);
        using var Y = tensor(data.Train.Targets, new long[] { spec.Batch, spec.OutputDim }, ScalarType.Float64).to(spec.Precision, dev);
        using var opt = optim.SGD(trained, 1e-6);

        void Step()
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var loss = ResNetModule.SquaredLoss(model.forward(X), Y);
            loss.backward();
            opt.step();
            loss.Item(); // synchronizes
        }

        using var explicitStep = new ExplicitGradientDescent(model, spec.Trained, 1e-6);
        void Explicit()
        {
            using var scope = NewDisposeScope();
            var output = explicitStep.Forward(X);
            explicitStep.Step(Y);
            output.sum().Item(); // synchronizes (after the step's work on the same stream)
        }

        using var H = randn(new long[] { spec.Batch, spec.Width }, spec.Precision, dev);
        using var Wm = randn(new long[] { spec.Width, spec.Width }, spec.Precision, dev);
        // As many multiplies per timing as the step has layer GEMMs (at least 4), so both timings last about as long.
        int inner = Math.Max(4, 3 * spec.Depth);
        void Matmul()
        {
            for (int i = 0; i < inner; i++)
            {
                using var r = H.matmul(Wm.t());
                if (i == inner - 1) r.sum().Item();
            }
        }

        Step();
        Step();
        Explicit();
        Explicit();
        Matmul();
        // Interleaved, so that all see the same machine (a busy neighbour slows them alike); medians of each.
        var stepTimes = new double[spec.Repeats];
        var explicitTimes = new double[spec.Repeats];
        var mmTimes = new double[spec.Repeats];
        for (int i = 0; i < spec.Repeats; i++)
        {
            stepTimes[i] = Timing.Seconds(Step);
            explicitTimes[i] = Timing.Seconds(Explicit);
            mmTimes[i] = Timing.Seconds(Matmul) / inner;
        }
        double step = stepTimes.Median(), mm = mmTimes.Median();
        double mmFlop = 2.0 * spec.Batch * spec.Width * spec.Width;
        double flop = StepFlops(spec.Width, spec.Depth, spec.Batch, spec.InputDim, spec.OutputDim, spec.Trained);
        return new TrainingBenchmarkResult(spec, dev.ToString(), threads, step, flop / 1e9, flop / step / 1e9, mmFlop / mm / 1e9, explicitTimes.Median());
    }
}

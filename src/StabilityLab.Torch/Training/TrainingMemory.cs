using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Sweeps;
using StabilityLab.Torch.Data;
using TorchSharp;

namespace StabilityLab.Torch.Training;

/// <summary>
/// The peak memory of a training study, estimated before it starts (docs/bad-input.md, "sizes"). Runs train one at a
/// time, so it is the largest run's: the sum of its two phases, because the first phase's memory is not always back with
/// the system when the second starts (the weight draws are managed arrays that wait for the garbage collector).
/// NTK at the initialization (when n·d ≤ <see cref="LinearizedPrediction.MaxOutputs"/> and the block is not post-bn;
/// <see cref="EmpiricalNtk"/>): the network, a float64 copy of a float32 one, and in float64 the activations autograd
/// keeps (<see cref="SavedPerLayer"/> tensors of n × m per weight matrix), the d backward signals and the inputs of every
/// use, and Θ (n²d²). Training: the network, the gradients and the copy of the initial trained weights (for
/// ‖θ_T − θ_0‖), SGD's momentum, and the kept activations at the batch size (n for gradient descent). A network holds
/// its weights at the run's precision and their draws as doubles. Plus the data (as doubles and as tensors) and
/// <see cref="TorchRuntime.RuntimeBytes"/>. Measured against the peak resident memory in docs/bad-input.md.
/// </summary>
public static class TrainingMemory
{
    /// <summary>Tensors of batch × m that autograd keeps alive per weight matrix in the forward pass (the matmul's input
    /// and output, the scaled branch, the sum, the activation's output and mask).</summary>
    public const int SavedPerLayer = 6;

    public static MemoryNeed Of(TrainingStudySpec spec)
    {
        var o = spec.Options;
        long m = spec.Network.Width, p = spec.Network.InputDim, d = spec.Network.OutputDim, L = spec.Depths.Max();
        long uses = spec.Network.Block == BlockKind.Res3 ? 2 : 1; // weight matrices per block
        long bytes = o.Precision == torch.ScalarType.Float32 ? 4 : 8;
        var (n, test) = Counts(spec.Data);
        long hidden = MemoryNeed.Times(L, uses, m, m);
        long all = hidden + m * p + d * m;
        long trained = o.Trained == TrainedParameters.Hidden ? hidden : all;
        bool sgd = o.Optimizer == OptimizerKind.Sgd;
        long batch = sgd ? Math.Min(o.BatchSize, n) : n;
        long data = 2 * 8 * (n + test) * (p + d);
        long Network(long b) => MemoryNeed.Times(b + 8, all);

        long copies = 2 + (sgd ? 1 : 0); // gradients and θ_0, and momentum
        long saved = MemoryNeed.Times(bytes, SavedPerLayer, batch, m, L, uses);
        long eval = MemoryNeed.Times(bytes, 4, Math.Min(o.EvalChunk, Math.Max(n, test)), m);
        long training = MemoryNeed.Sum(Network(bytes), MemoryNeed.Times(bytes, copies, trained), saved, eval);

        bool ntk = n * d <= LinearizedPrediction.MaxOutputs && !spec.Network.Block.IsNormalized();
        long signals = MemoryNeed.Times(8, SavedPerLayer + d + 1, n, m, L, uses);
        long kernel = !ntk ? 0 : MemoryNeed.Sum(Network(bytes), bytes == 8 ? 0 : Network(8), signals, 8 * n * n * d * d);

        long peak = MemoryNeed.Sum(kernel, training, data, TorchRuntime.RuntimeBytes);
        string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
        string breakdown = F($"L = {L}, m = {m}: {all:N0} weights, {SweepResources.Size(Network(bytes))} a network; training {SweepResources.Size(training)} ({copies} × {SweepResources.Size(MemoryNeed.Times(bytes, trained))} of gradients, initial weights{(sgd ? " and momentum" : "")}, {SweepResources.Size(saved)} of activations for a batch of {batch})")
            + (ntk ? F($"; the NTK at the initialization {SweepResources.Size(kernel)} ({SweepResources.Size(signals)} of activations and backward signals for n = {n})") : "");
        return new MemoryNeed(peak, breakdown, "lower --width or --depth" + (sgd ? ", --batch-size" : ", --train-size") + (bytes == 8 ? ", or train in float32" : ""));
    }

    /// <summary>Training and test examples of a data source (0 for a source this estimate does not know).</summary>
    private static (long Train, long Test) Counts(DataSource data) => data switch
    {
        SyntheticData s => (s.Count, s.TestCount),
        FashionMnist f => (f.TrainCount, f.TestCount),
        _ => (0, 0),
    };
}

using System.Globalization;
using StabilityLab.Models;
using StabilityLab.Torch.Networks;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>The optimizer.</summary>
public enum OptimizerKind
{
    /// <summary>Full-batch gradient descent θ ← θ − η ∇F (the theory).</summary>
    GradientDescent,
    /// <summary>Minibatch SGD with heavy-ball momentum (PyTorch's convention: v ← μv + g, θ ← θ − ηv) on a reshuffled
    /// permutation each epoch; the minibatch gradient is scaled by n/b so that it estimates ∇F without bias.</summary>
    Sgd,
}

/// <summary>How the objective sums the per-example losses ℓ_i = ½‖B h_{i,L} − y*_i‖².</summary>
public enum LossReduction
{
    /// <summary>F = Σ_i ℓ_i, the theory's loss (its step size scales like 1/(m·n)).</summary>
    Sum,
    /// <summary>F/n, the usual practice (step sizes of order 0.01–0.1).</summary>
    Mean,
}

/// <summary>How gradient descent computes the gradient.</summary>
public enum BackwardPass
{
    /// <summary>Each block's backward written out and fused with its weight update (<see cref="ExplicitGradientDescent"/>).</summary>
    Explicit,
    /// <summary>libtorch's autograd, then <see cref="GradientStep"/>.</summary>
    Autograd,
}

/// <summary>
/// How to train: optimizer, step size η, momentum μ (SGD only), minibatch size b (SGD only), number of steps,
/// float precision, which weights move, and when a run counts as diverged or converged.
/// </summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.GradientDescent;

    /// <summary>Step size η.</summary>
    public double StepSize { get; init; } = 1e-3;

    /// <summary>Momentum μ of SGD (ignored by gradient descent).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>Minibatch size b of SGD (ignored by gradient descent).</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Number of parameter updates.</summary>
    public int Steps { get; init; } = 500;

    public ScalarType Precision { get; init; } = ScalarType.Float64;

    public TrainedParameters Trained { get; init; } = TrainedParameters.Hidden;

    public LossReduction Reduction { get; init; } = LossReduction.Sum;

    /// <summary>A curve row (and the test metrics) every this many steps, plus the last step. Gradient descent's
    /// training loss comes free with each step; SGD evaluates the full training loss at these steps.</summary>
    public int EvalEvery { get; init; } = 1;

    /// <summary>Whether the held-out data are also evaluated at step 0 (false: only at the later rows; a practice claim reads the
    /// test accuracy at the end alone, and an evaluation of the untrained network costs as much as a late one).</summary>
    public bool TestAtStart { get; init; } = true;

    /// <summary>Diverged: the loss is not finite, or exceeds this factor times the initial loss.</summary>
    public double DivergenceFactor { get; init; } = 1e3;

    /// <summary>Converged (training stops): the loss falls to this fraction of the initial loss. 0 never stops early.</summary>
    public double StopLossRatio { get; init; } = 1e-6;

    /// <summary>How full-batch gradient descent gets its gradients: <see cref="BackwardPass.Explicit"/> (default) where the
    /// block has the explicit step, else autograd; SGD and post-bn always train by autograd. The two give the same dynamics to
    /// rounding (<see cref="ExplicitGradientDescent"/>).</summary>
    public BackwardPass Backward { get; init; } = BackwardPass.Explicit;

    /// <summary>The backward pass a run of <paramref name="network"/> with these options uses.</summary>
    public BackwardPass BackwardFor(NetworkSpec network) =>
        Backward == BackwardPass.Explicit && Optimizer == OptimizerKind.GradientDescent && TorchBlock.For(network).HasExplicitStep
            ? BackwardPass.Explicit : BackwardPass.Autograd;

    /// <summary>Examples per forward pass when evaluating (bounds memory, does not change results, except of a post-bn
    /// network, whose BatchNorm normalizes each chunk by its own statistics).</summary>
    public int EvalChunk { get; init; } = 4096;

    /// <summary>Throws <see cref="SpecException"/> naming the first bad field.</summary>
    public void Validate()
    {
        if (!(StepSize > 0) || !double.IsFinite(StepSize)) throw new SpecException($"step size must be positive and finite (got {Fmt(StepSize)})");
        if (!(Momentum >= 0 && Momentum < 1)) throw new SpecException($"momentum must be in [0, 1) (got {Fmt(Momentum)})");
        if (BatchSize < 1) throw new SpecException($"batch size must be at least 1 (got {BatchSize})");
        if (Steps < 0) throw new SpecException($"steps must be 0 or more (got {Steps})");
        if (Precision is not (ScalarType.Float32 or ScalarType.Float64)) throw new SpecException($"precision must be float32 or float64 (got {Precision})");
        if (EvalEvery < 1) throw new SpecException($"eval-every must be at least 1 (got {EvalEvery})");
        if (!(DivergenceFactor > 1)) throw new SpecException($"divergence factor must be above 1 (got {Fmt(DivergenceFactor)})");
        if (!(StopLossRatio >= 0 && StopLossRatio < 1)) throw new SpecException($"stop loss ratio must be in [0, 1) (got {Fmt(StopLossRatio)})");
        if (EvalChunk < 1) throw new SpecException($"eval chunk must be at least 1 (got {EvalChunk})");
    }

    private static string Fmt(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}

/// <summary>Text names for the CLI, CSV files and manifests.</summary>
public static class OptionNames
{
    public static string Name(this OptimizerKind o) => o == OptimizerKind.GradientDescent ? "gd" : "sgd";

    public static string Name(this LossReduction r) => r == LossReduction.Sum ? "sum" : "mean";

    public static string PrecisionName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        _ => t.ToString(),
    };

    public static OptimizerKind ParseOptimizer(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "gd" => OptimizerKind.GradientDescent,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new SpecException($"unknown optimizer '{text}' (expected gd or sgd)"),
    };

    public static string Name(this BackwardPass b) => b == BackwardPass.Explicit ? "explicit" : "autograd";

    public static BackwardPass ParseBackward(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "explicit" => BackwardPass.Explicit,
        "autograd" => BackwardPass.Autograd,
        _ => throw new SpecException($"unknown backward pass '{text}' (expected explicit or autograd)"),
    };

    public static LossReduction ParseReduction(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "sum" => LossReduction.Sum,
        "mean" => LossReduction.Mean,
        _ => throw new SpecException($"unknown loss reduction '{text}' (expected sum or mean)"),
    };

    public static ScalarType ParsePrecision(string text) => (text ?? "").Trim().ToLowerInvariant() switch
    {
        "float32" or "f32" or "single" => ScalarType.Float32,
        "float64" or "f64" or "double" => ScalarType.Float64,
        _ => throw new SpecException($"unknown precision '{text}' (expected float32 or float64)"),
    };
}

namespace StabilityLab.Claims;

/// <summary>
/// How a training claim trains (docs/claims.md §8): n = <see cref="Samples"/> inputs in R^<see cref="InputDim"/> with
/// random targets (or the named dataset), <see cref="Steps"/> steps of the optimizer at step size <see cref="Lr"/> (null:
/// chosen by the NTK rule η = ½·2/λ_max, the largest λ_max of the empirical NTK over the study's networks) on the
/// <see cref="Trainable"/> parameters, <see cref="Seeds"/> seeds per (depth, τ). Names (optimizer, dataset, trainable) are
/// read by the training runner, which refuses an unknown one before any work. A run has converged when its loss ends
/// below <see cref="LossFraction"/> of its initial value. A dataset read from files is looked for in <see cref="DataDir"/>
/// (null: its default folder) and scored on its first <see cref="TestSamples"/> test examples (null: all of them).
/// </summary>
public sealed record ClaimTraining(int Samples, int InputDim, int Steps, int Seeds, double? Lr, string Optimizer, string Dataset, string Trainable, double LossFraction)
{
    public string? DataDir { get; init; }

    public int? TestSamples { get; init; }

    /// <summary>
    /// "lr": "largest-stable" (controls of rate-independent-of-depth and converges only): at each depth the largest step
    /// on the halving grid η₀·2^−k (η₀ the claim's own step size) at which a short probe run does not diverge
    /// (docs/claims.md §8); <see cref="Lr"/> is then null.
    /// </summary>
    public bool LargestStable { get; init; }

    public const string LargestStableName = "largest-stable";

    /// <summary>
    /// "lr_fraction": c of the NTK step-size rule η = c·2/λ_max (λ_max the largest over the study's networks and seeds,
    /// docs/claims.md §8), used when the claim gives no "lr"; in (0, 1), default <see cref="DefaultLrFraction"/>.
    /// </summary>
    public double LrFraction { get; init; } = DefaultLrFraction;

    public const double DefaultLrFraction = 0.5;

    public const int DefaultSamples = 32, DefaultInputDim = 16, DefaultSteps = 300, DefaultSeeds = 2;
    public const double DefaultLossFraction = 0.01;
}

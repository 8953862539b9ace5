using StabilityLab.Models;
using StabilityLab.Torch.Data;
using static TorchSharp.torch;

namespace StabilityLab.Torch.Training;

/// <summary>The step one depth trains at under "lr": "largest-stable": η₀·2^−k; Found is false where even the grid's
/// last step diverged. Probes counts the runs the search trained.</summary>
public sealed record StableStep(int Depth, double Step, int Halvings, bool Found, int Probes);

/// <summary>
/// "lr": "largest-stable" (docs/claims.md §8): at one depth, the largest step on the halving grid η₀·2^−k,
/// k = 0..<see cref="MaxHalvings"/>, inside the linearized dynamics' stability region of every seed of the study
/// (η·λ_max &lt; 2, λ_max of the empirical NTK at the initialization, <see cref="LinearizedPrediction"/>) at which a probe
/// run of <see cref="ProbeSteps"/> steps — the study's optimizer and loss, at the stiffest seed — does not diverge; k
/// grows from that edge while the probe diverges (usually one probe). Steps beyond the edge are not tried: there a deep
/// τ = 1 network can "catapult" (width 128, L = 64, 200 steps: η·λ_max ≈ 47 ends at 9·10⁻⁴ of the initial loss, while
/// 10⁶ times that step diverges at step 1), so "does not diverge" is not monotone in η there and the search would have
/// to probe the whole grid. Without a kernel (n·d too large) the search starts at k = 0.
/// </summary>
public static class LargestStableStep
{
    /// <summary>η₀·2^−1000 is still a double: τ = 1 at L = 64 (width 128) has λ_max ≈ 5·10²⁷, a stable step of 2^−81·η₀, and λ_max grows like e^L.</summary>
    public const int MaxHalvings = 1000;

    public const int ProbeSteps = 20;

    public static StableStep Find(NetworkSpec spec, IReadOnlyList<(ulong Seed, TrainingData Data)> draws, TrainingOptions options, double start, Device? device = null)
    {
        if (draws.Count == 0) throw new ArgumentException("give at least one seed", nameof(draws));
        // The stiffest draw, and where its linearized dynamics stop being stable.
        var stiff = draws.Select(d => (d.Seed, d.Data, Kernel: LinearizedPrediction.AtInitialization(spec, d.Data, options, d.Seed, device)))
            .MaxBy(d => d.Kernel?.LambdaMax ?? 0);
        int k = 0;
        if (stiff.Kernel is { LambdaMax: > 0 and var lambda } && double.IsFinite(lambda))
            k = Math.Clamp((int)Math.Floor(Math.Log2(start * lambda / 2)) + 1, 0, MaxHalvings);
        int probes = 0;
        var probe = options with { Steps = Math.Min(ProbeSteps, options.Steps), EvalEvery = Math.Min(ProbeSteps, options.Steps) };
        for (; k <= MaxHalvings; k++)
        {
            probes++;
            double eta = start * Math.Pow(2, -k);
            if (Trainer.Run(spec, stiff.Data, probe with { StepSize = eta }, stiff.Seed, device).Outcome != TrainingOutcome.Diverged)
                return new StableStep(spec.Depth, eta, k, true, probes);
        }
        return new StableStep(spec.Depth, start * Math.Pow(2, -MaxHalvings), MaxHalvings, false, probes);
    }
}

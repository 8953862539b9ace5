using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// Exact first-moment bounds for the post-activation ReLU block at every width (docs/science.md §3):
/// Π_l (1+τ_l²) ≤ E[‖h_L‖²/‖h_0‖²] ≤ Π_l (1+2τ_l²), kept in the log domain as sums of log1p,
/// so per-layer rules and τ = 1 at any depth stay finite.
/// </summary>
public static class FirstMomentBounds
{
    /// <summary>Bounds on log E[‖h_L‖²/‖h_0‖²] for the schedule τ_1..τ_L.</summary>
    public static LogRatioBounds PostRelu(IReadOnlyList<double> tau) => PostReluByLayer(tau)[^1];

    /// <summary>Bounds for the spec's own τ schedule (post block with ReLU only).</summary>
    public static LogRatioBounds PostRelu(NetworkSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (spec.Block != BlockKind.Post || spec.Activation != Activation.Relu)
            throw new ArgumentException($"the first-moment bounds are for the post block with ReLU (got {spec.Block.Name()}, {spec.Activation.Name()})", nameof(spec));
        return PostRelu(spec.TauSchedule());
    }

    /// <summary>
    /// Bounds on log E[‖h_l‖²/‖h_0‖²] for l = 0..L (index l; index 0 is [0, 0]):
    /// Σ_{k≤l} log1p(τ_k²) ≤ · ≤ Σ_{k≤l} log1p(2τ_k²).
    /// </summary>
    public static LogRatioBounds[] PostReluByLayer(IReadOnlyList<double> tau)
    {
        TauSchedules.Check(tau);
        var result = new LogRatioBounds[tau.Count + 1];
        double lo = 0, hi = 0;
        result[0] = new LogRatioBounds(0, 0);
        for (int l = 1; l <= tau.Count; l++)
        {
            double t2 = tau[l - 1] * tau[l - 1];
            lo += StdNormal.Log1p(t2);
            hi += StdNormal.Log1p(2 * t2);
            result[l] = new LogRatioBounds(lo, hi);
        }
        return result;
    }
}

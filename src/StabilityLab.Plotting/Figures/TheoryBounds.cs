using StabilityLab.Models;
using StabilityLab.Plotting.Data;
using StabilityLab.Tables;

namespace StabilityLab.Plotting.Figures;

/// <summary>
/// The exact first-moment bounds of the post-activation ReLU block (docs/science.md §3), for a cell:
/// Σ_l ln(1+τ_l²) ≤ ln E[‖h_L‖²/‖h_0‖²] ≤ Σ_l ln(1+2τ_l²), i.e. [L·ln(1+τ²), L·ln(1+2τ²)] for a constant τ.
/// The schedule comes from the cell's τ rule (so per-layer rules are right).
/// </summary>
public static class TheoryBounds
{
    /// <summary>True when the bounds hold for the cell's network (post block, ReLU, Gaussian weights).</summary>
    public static bool Applies(CellRow cell) =>
        cell.Block == BlockKind.Post && cell.Activation == Activation.Relu && cell.Weights == WeightLaw.Gaussian;

    public static (double Lo, double Hi) PostRelu(CellRow cell)
    {
        double lo = 0, hi = 0;
        foreach (var t in cell.Rule.Schedule(cell.Depth))
        {
            lo += Math.Log(1 + t * t);
            hi += Math.Log(1 + 2 * t * t);
        }
        return (lo, hi);
    }

    /// <summary>True when τ is the same at every layer (a theory curve that takes one τ applies).</summary>
    public static bool IsConstantAcrossLayers(CellRow cell) => !cell.Rule.IsPerLayer;
}

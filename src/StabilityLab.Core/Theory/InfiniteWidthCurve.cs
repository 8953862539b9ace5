using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// The infinite-width law of one coordinate Y_l = √m·h_{l,k}, layer by layer (docs/science.md §3), for l = 0..L
/// (index l): LogQ[l] = log Q_l = log E[Y_l²] (the infinite-width value of log E‖h_l‖²),
/// AtomMass[l] = P(Y_l = 0), PositivePart[l] = E[φ(Y_l)²]/E[Y_l²] (1 for the post block, whose Y ≥ 0),
/// NoiseVariance[l] = lim_m m·Var(log(‖h_l‖²/‖h_{l−1}‖²) | h_{l−1}) = E[Var(Y_l² | Y_{l−1})]/Q_l² (the
/// fresh-weight part of the finite-width variance; NoiseVariance[0] = Var(Y_0²)/Q_0² = 5).
/// <see cref="Grid"/> describes the discretization (null for closed forms).
/// </summary>
public sealed record InfiniteWidthCurve(
    BlockKind Block,
    double[] LogQ,
    double[] AtomMass,
    double[] PositivePart,
    double[] NoiseVariance,
    DensityGridDiagnostics? Grid)
{
    public int Depth => LogQ.Length - 1;

    /// <summary>log(Q_l/Q_0) for l = 0..L, comparable with a sampler's Forward[l].</summary>
    public double[] LogRatio => LogQ.Select(v => v - LogQ[0]).ToArray();

    /// <summary>log Q_L.</summary>
    public double LogQFinal => LogQ[^1];
}

/// <summary>
/// How well the discretized laws kept their invariants over all layers: the largest |mass − 1| and
/// |E[X²] − 1| of the normalized law, the largest grid, the finest spacing (units of √Q_l) and the
/// number of resamplings.
/// </summary>
public sealed record DensityGridDiagnostics(double MaxMassError, double MaxMomentError, int MaxPoints, double MinSpacing, int Resamples);

using MathNet.Numerics;
using StabilityLab.Models;

namespace StabilityLab.Theory;

/// <summary>
/// First order in 1/m for the post-activation ReLU block (docs/finite-width.md): density evolution of one
/// coordinate's law keeps every layer (<see cref="FiniteWidthLayers"/>); the forward log ratio is a sum of per-layer
/// increments whose conditional variance is ν_l/m, so Var = Σν_l/m and E = Σ log r_l − Var/2; the backward ratio
/// splits g_L into its isotropic part (gated by the masks, <see cref="FiniteWidthBackward"/>, variance from
/// <see cref="FiniteWidthBackwardVariance"/>) and its part along ĥ_L, which carries ⟨g_l, h_l⟩ (conserved by the
/// positively homogeneous block) and so grows like the forward ratio, weighted by ‖ζ‖² ~ χ²_d of the output layer.
/// Deterministic; cost O(Σ_l grid points × kernel taps).
/// </summary>
public static class FiniteWidthTheory
{
    /// <summary>Largest Σ_l (grid points) the evolution may store; beyond it the cell is outside the regime.</summary>
    public const double MaxStoredPoints = 6e7;

    /// <summary>Whether <see cref="Predict"/> covers this block and activation (the others throw a SpecException).</summary>
    public static bool Covers(BlockKind block, Activation activation) =>
        (block == BlockKind.Post && activation == Activation.Relu) || IndependentFactorChain.Covers(block, activation) || Res1FiniteWidth.Covers(block, activation)
        || Res3TanhNormChain.Covers(block, activation);

    public static FiniteWidthPrediction Predict(NetworkSpec spec) => PredictWith(spec, cached: true);

    /// <param name="spec">the cell</param>
    /// <param name="cached">reuse the width-free part of an earlier call with the same τ schedule (<see cref="FiniteWidthWidthFree"/>)</param>
    /// <param name="referenceKernel">tests only: every correlation through the per-tap reference loop (implies no cache)</param>
    /// <param name="grid">tests and timings only: this grid instead of <see cref="GridFor"/>'s (e.g. <c>GridFor(tau, fine: true)</c>, the grid of every cell before the fast grid), never refused</param>
    internal static FiniteWidthPrediction PredictWith(NetworkSpec spec, bool cached, bool referenceKernel = false, DensityGridOptions? grid = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        // Other blocks (docs/finite-width.md §10–§12): exact independent layer factors, res1's feedback, res3/tanh's norm chain.
        if (IndependentFactorChain.Covers(spec.Block, spec.Activation)) return IndependentFactorChain.Predict(spec);
        if (Res1FiniteWidth.Covers(spec.Block, spec.Activation)) return Res1FiniteWidth.Predict(spec);
        if (Res3TanhNormChain.Covers(spec.Block, spec.Activation)) return Res3TanhNormChain.Predict(spec);
        if (!Covers(spec.Block, spec.Activation))
            throw new SpecException($"the finite-width theory covers post/ReLU, res1/ReLU, res3 with ReLU or tanh, and the identity (got {spec.Block.Name()}, {spec.Activation.Name()})");
        var tau = spec.TauSchedule();
        // The 4-points-per-σ grid for small cells, the same on a shorter support for large ones, its 2-points form where
        // that would exceed 4·10⁷ points (each within 1e-4 of the 4-points grid in every moment, far below the standard
        // errors of a 500-trial cell), else the cell is refused.
        bool chosen = grid is null;
        grid ??= GridFor(tau);
        double stored = FiniteWidthLayers.StoredPoints(tau, grid);
        if (chosen && stored > MaxStoredPoints)
            throw new SpecException($"the density grid would need {stored:G3} points over the {spec.Depth} layers (limit {MaxStoredPoints:G3}): τ is too small for this depth");
        int m = spec.Width, L = spec.Depth;
        var w = referenceKernel ? FiniteWidthWidthFree.Compute(tau, grid with { ReferenceKernel = true })
            : cached ? FiniteWidthWidthFree.Cached(tau, grid) : FiniteWidthWidthFree.Compute(tau, grid);

        // Forward: cumulative per layer.
        var fwdInf = new double[L + 1];
        var fwdVar = new double[L + 1];
        for (int l = 1; l <= L; l++)
        {
            fwdInf[l] = fwdInf[l - 1] + w.LogR[l - 1];
            fwdVar[l] = fwdVar[l - 1] + w.Noise[l - 1] / m;
        }
        var fwdMean = fwdInf.Select((v, l) => v - fwdVar[l] / 2).ToArray();
        double mean = fwdMean[L], sd = Math.Sqrt(fwdVar[L]);
        double z95 = MathNet.Numerics.Distributions.Normal.InvCDF(0, 1, 0.95);

        // Backward: isotropic and coherent parts, mixed over ‖ζ‖² ~ χ²_d.
        double vInc = w.MVarInc / m;
        double logInc = w.IncLogRatio[0] - vInc / 2;
        double logCoh = w.CohLogRatio0 - fwdVar[L] / 2;
        var (bMean, bVar, cov) = MixOverOutput(spec.OutputDim, Math.Log(m - 1.0), m, logInc, vInc, logCoh, fwdVar[L], 0, 0, fwdVar[L]);

        var regime = RegimeOf(spec, tau);
        return new FiniteWidthPrediction(m, L, mean, sd, mean - z95 * sd, mean, mean + z95 * sd, mean + fwdVar[L] / 2,
            bMean, Math.Sqrt(bVar), cov, fwdInf[L], w.IncLogRatio[0],
            fwdMean, fwdVar.Select(Math.Sqrt).ToArray(), (double[])w.IncLogRatio.Clone(), regime);
    }

    /// <summary>
    /// Cells whose <see cref="FiniteWidthLayers.TheoryGrid"/> holds at most this many points × layers (≈ 10 ms) keep it,
    /// bit for bit; larger ones run on <see cref="FiniteWidthLayers.FastGrid"/> (docs/finite-width.md §3).
    /// </summary>
    internal const double FastFromPoints = 2e5;

    /// <summary>The most points × layers a 4-points-per-σ grid may hold; beyond it the 2-points form runs (a quarter of the work).</summary>
    internal const double FourPointsUpTo = 4e7;

    /// <summary>
    /// The grid <see cref="Predict"/> runs on (docs/finite-width.md §3): the 4-points-per-σ grid for small cells, the fast grid
    /// for large ones, its 2-points form beyond <see cref="FourPointsUpTo"/> (refused beyond <see cref="MaxStoredPoints"/>).
    /// With <paramref name="fine"/>, the grid every cell ran on before the fast grid: the 4-points grid up to
    /// <see cref="FourPointsUpTo"/>, else the 2-points one (the reference of the tests).
    /// </summary>
    internal static DensityGridOptions GridFor(IReadOnlyList<double> tau, bool fine = false)
    {
        double theory = FiniteWidthLayers.StoredPoints(tau, FiniteWidthLayers.TheoryGrid);
        if (fine) return theory > FourPointsUpTo ? FiniteWidthLayers.CoarseGrid : FiniteWidthLayers.TheoryGrid;
        if (theory <= FastFromPoints) return FiniteWidthLayers.TheoryGrid;
        return FiniteWidthLayers.StoredPoints(tau, FiniteWidthLayers.FastGrid) <= FourPointsUpTo ? FiniteWidthLayers.FastGrid : FiniteWidthLayers.FastCoarseGrid;
    }

    /// <summary>
    /// Grid points × layers that <see cref="Predict"/> would store for this schedule: its memory, and (≈ linearly) its
    /// cost, known before running it. Above <see cref="MaxStoredPoints"/> Predict refuses the cell.
    /// </summary>
    public static double GridPoints(IReadOnlyList<double> tau) => FiniteWidthLayers.StoredPoints(tau, GridFor(tau));

    /// <summary>
    /// B(u) = log(n e^{I} + u e^{C}) − log(m−1+u) for u = ‖ζ‖² ~ χ²_d (I, C the two parts' log means, Gaussian
    /// with variances vI, vC to first order; n = e^{logIsoWeight} the isotropic part's weight: m − 1 where I is the growth
    /// of a vector orthogonal to h_L, m − e^{C−I} where it is that of a generic direction): E[B],
    /// Var(B) = Var_u(B) + E_u[w_I² vI + w_C² vC + 2w_I w_C cIC] and, u being independent of the forward pass,
    /// Cov(F_L, B) = E_u[w_I]·cIF + E_u[w_C]·cCF (δB = w_I δI + w_C δC to first order), with w the parts' shares, cIC the
    /// covariance of the two parts, cIF and cCF their covariances with the forward log ratio F_L (post: 0, 0 and cCF = Var F_L,
    /// the masks' correlation left out, docs/finite-width.md §5; res1 §11; res3/tanh §12).
    /// Quadrature over t = log u on a fine grid (trapezoid).
    /// </summary>
    // Few calls with long loops: compiled fully optimized at once, not through the JIT's tiers.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static (double Mean, double Var, double Cov) MixOverOutput(int d, double logIsoWeight, int m, double logI, double vI, double logC, double vC, double cIC,
        double cIF, double cCF)
    {
        double half = d / 2.0, norm = half * Math.Log(2) + SpecialFunctions.GammaLn(half);
        // log χ²_d has a left tail ∝ e^{(d/2)t} and sd ≈ √(2/d) for large d: cover both to ~1e-20.
        double tLo = Math.Log(d) - 100.0 / d - 12 * Math.Sqrt(2.0 / d), tHi = Math.Log(d + 60 * Math.Sqrt(2.0 * d) + 60);
        int n = 6000;
        double dt = (tHi - tLo) / n, s0 = 0, s1 = 0, s2 = 0, sw = 0, cov = 0, covI = 0, swc = 0;
        for (int i = 0; i <= n; i++)
        {
            double t = tLo + i * dt, u = Math.Exp(t);
            double p = Math.Exp(half * t - u / 2 - norm) * (i == 0 || i == n ? 0.5 : 1) * dt;
            double a = logIsoWeight + logI, b = t + logC;
            double top = StdNormal.LogAddExp(a, b);
            double wc = Math.Exp(b - top), wi = 1 - wc;
            double bb = top - Math.Log(m - 1 + u);
            s0 += p;
            s1 += p * bb;
            s2 += p * bb * bb;
            sw += p * (wi * wi * vI + wc * wc * vC);
            cov += p * wc;
            covI += p * wi;
            swc += p * 2 * wi * wc;
        }
        double mean = s1 / s0;
        // Post passes cIC = cIF = 0: the extra terms add exactly 0.
        return (mean, s2 / s0 - mean * mean + sw / s0 + swc / s0 * cIC, cov / s0 * cCF + covI / s0 * cIF);
    }

    /// <summary>
    /// The validated regime (docs/finite-width.md §6), as numbers: L ≤ 16m and Σ_l τ_l² ≤ 16m, where the quick grid
    /// (m = 256, L = 4..4096, 21 τ rules) agrees with the exact sampler within 4 SE in 112 of 114 cells.
    /// Outside it the neglected O(1/m) feedback of the empirical law (and O(L/m²) terms) is untested.
    /// </summary>
    public static FiniteWidthRegime RegimeOf(NetworkSpec spec, IReadOnlyList<double> tau)
    {
        double s = tau.Sum(t => t * t);
        int m = spec.Width, L = spec.Depth;
        var reasons = new List<string>();
        if (s > MaxDepthOverWidth * m) reasons.Add($"Σ τ² = {s:G3} > {MaxDepthOverWidth}m = {MaxDepthOverWidth * m}");
        if (L > MaxDepthOverWidth * m) reasons.Add($"L = {L} > {MaxDepthOverWidth}m = {MaxDepthOverWidth * m}");
        bool inside = reasons.Count == 0;
        return new FiniteWidthRegime(inside, inside, inside ? "inside" : string.Join("; ", reasons));
    }

    /// <summary>The validated range: L/m and Σ τ²/m at most this.</summary>
    public const int MaxDepthOverWidth = 16;
}

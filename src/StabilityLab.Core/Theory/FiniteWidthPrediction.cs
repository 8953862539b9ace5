namespace StabilityLab.Theory;

/// <summary>
/// The finite-width prediction for one cell (docs/finite-width.md: post/ReLU, and res1, res3, the identity in §10–§12;
/// a statistic the theory does not predict for the block is NaN, never written to a file), named like the columns of
/// cells.csv (docs/file-formats.md): log ratios are natural logs of squared norms,
/// forward log(‖h_L‖²/‖h_0‖²), backward log(‖∂F/∂h_0‖²/‖∂F/∂h_L‖²).
/// Quantiles of the forward ratio are those of a Gaussian (its skewness is O(m^{−3/2})); FwdLogMeanSq is
/// log E[‖h_L‖²/‖h_0‖²] = mean + sd²/2 to the same order. Per-layer arrays have index l = 0..L.
/// The *Infinite values are the m → ∞ limits (density evolution, docs/science.md §3).
/// </summary>
public sealed record FiniteWidthPrediction(
    int Width,
    int Depth,
    double FwdLogSqMean,
    double FwdLogSqSd,
    double FwdLogSqQ05,
    double FwdLogSqQ50,
    double FwdLogSqQ95,
    double FwdLogMeanSq,
    double BwdLogSqMean,
    double BwdLogSqSd,
    double Covariance,
    double FwdLogSqInfinite,
    double BwdLogSqInfinite,
    double[] FwdLogSqMeanByLayer,
    double[] FwdLogSqSdByLayer,
    double[] BwdLogSqInfiniteByLayer,
    FiniteWidthRegime Regime)
{
    /// <summary>P(‖h_L‖/‖h_0‖ &gt; K) = P(forward log ratio &gt; 2 log K) under the Gaussian law of the log ratio.</summary>
    public double BlowupFrac(double k)
    {
        if (!(k > 0)) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be > 0");
        if (FwdLogSqSd == 0) return FwdLogSqMean > 2 * Math.Log(k) ? 1 : 0;
        return 1 - StdNormal.Cdf((2 * Math.Log(k) - FwdLogSqMean) / FwdLogSqSd);
    }
}

/// <summary>Whether a cell lies where the first-order theory was validated (docs/finite-width.md §6), and why not.</summary>
public sealed record FiniteWidthRegime(bool ForwardInside, bool BackwardInside, string Reason)
{
    public bool Inside => ForwardInside && BackwardInside;
}

namespace StabilityLab.Theory;

/// <summary>
/// The finite-width correction of docs/science.md §3 for the post-activation ReLU block, to leading order in 1/m:
/// Var(log‖h_L‖²) ≈ (5 + 8 Σ_l τ_l²)/m and E log‖h_L‖² ≈ log Q_L − Var/2 (delta method).
/// The 8τ² per layer is only the first order in τ: it is right for τ = α/√L (error O(α³/√L)/m)
/// but overestimates the variance by ~40% at τ = 0.5 (37/m vs 26/m at L = 16); the
/// <c>FreshNoise…</c> variants use the exact per-layer term from the infinite-width law instead.
/// </summary>
public static class FiniteWidthCorrection
{
    /// <summary>Var(log‖h_L‖²) ≈ (5 + 8 Σ_l τ_l²)/m.</summary>
    public static double LogVariance(IReadOnlyList<double> tau, int width)
    {
        TauSchedules.Check(tau);
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1");
        double s = 0;
        foreach (var t in tau) s += t * t;
        return (5 + 8 * s) / width;
    }

    /// <summary>E log‖h_L‖² ≈ log Q_L − (5 + 8 Σ_l τ_l²)/(2m), with log Q_L from <see cref="InfiniteWidthRecursion"/>.</summary>
    public static double ExpectedLog(double logQ, IReadOnlyList<double> tau, int width) => logQ - LogVariance(tau, width) / 2;

    /// <summary>
    /// The fresh-weight variance from the infinite-width law (derived here):
    /// Var(log‖h_L‖²) ≈ (1/m) Σ_{l=0}^{L} NoiseVariance[l] = (1/m)[5 + Σ_l E[Var(Y_l² | Y_{l−1})]/Q_l²],
    /// which is (5 + 8Σ τ_l²)/m + O(Σ τ_l³)/m. It leaves out the feedback of the empirical law's
    /// O(1/√m) fluctuation on later layers' growth (also O(1/m)): against the exact sampler it is
    /// 1–4% low at τ = 0.5 and within the Monte Carlo error at τ = 1/√L (tests/…/Theory/FiniteWidthCorrectionTests).
    /// </summary>
    public static double FreshNoiseLogVariance(InfiniteWidthCurve curve, int width)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 1");
        return curve.NoiseVariance.Sum() / width;
    }

    /// <summary>E log‖h_L‖² ≈ log Q_L − Var/2 with the variance of <see cref="FreshNoiseLogVariance"/>.</summary>
    public static double FreshNoiseExpectedLog(InfiniteWidthCurve curve, int width) => curve.LogQFinal - FreshNoiseLogVariance(curve, width) / 2;
}

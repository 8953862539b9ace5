namespace StabilityLab.Plotting.Data;

/// <summary>
/// The exponent fit behind the threshold verdict, as fits.json's threshold.exponent states it: τ*(L) = P(L)·e^Intercept·L^Alpha,
/// with P(L) = τ*(L; m, K)·√L (the finite-width prediction, docs/finite-width.md §7) where its finite-size part was divided
/// out, else P = 1 (the plain log–log line). [AlphaLo, AlphaHi] is the 95% interval of α.
/// </summary>
public sealed record ThresholdExponentLaw(double Alpha, double AlphaLo, double AlphaHi, double Intercept, double ReducedChiSquare,
    IReadOnlyDictionary<int, double> Predicted, double? LargeDepthLimit)
{
    /// <summary>Whether the finite-size part of τ*(L; m, K) was divided out (the prediction is known at the fitted depths).</summary>
    public bool FiniteSizeCorrected => Predicted.Count > 0;

    /// <summary>The fitted τ*(L); with the finite-size part divided out, only at the fitted depths (else null).</summary>
    public double? Evaluate(int depth)
    {
        double line = Math.Exp(Intercept + Alpha * Math.Log(depth));
        if (!FiniteSizeCorrected) return line;
        return Predicted.TryGetValue(depth, out double p) ? line * p * Math.Sqrt(depth) : null;
    }
}

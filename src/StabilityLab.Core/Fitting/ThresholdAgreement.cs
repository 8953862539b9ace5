using StabilityLab.Theory;

namespace StabilityLab.Fitting;

/// <summary>
/// A measured τ*(L) beside the finite-width τ*(L; m, K) (docs/finite-width.md §7), nothing fitted. <see cref="PredictedAsMeasured"/>
/// is the prediction passed through the estimator: the crossing of the predicted median, interpolated between the same two
/// grid τ values as a measurement would be (the exact τ*(L; m, K) where the grid is unknown or does not bracket it), so the
/// interpolation's own bias is not counted as a disagreement. z = ln(τ*/PredictedAsMeasured)/SE(ln τ*).
/// </summary>
public sealed record ThresholdAgreement(int Depth, double Measured, double LogSe, double Predicted, double PredictedAsMeasured)
{
    public double Z => (Math.Log(Measured) - Math.Log(PredictedAsMeasured)) / LogSe;

    /// <param name="e">the measured threshold, with the τ grid it was interpolated on</param>
    /// <param name="predicted">τ*(L; m, K) at the estimate's depth and width (<see cref="ThresholdPrediction.TauStar"/>)</param>
    /// <param name="blowupLevel">K of the median criterion</param>
    public static ThresholdAgreement Of(ThresholdEstimate e, double predicted, double blowupLevel) =>
        new(e.Depth, e.TauStar, Math.Max(e.LogTauSe, 1e-12), predicted, AsMeasured(e, predicted, blowupLevel));

    /// <summary>τ*(L; m, K) as the median-crossing estimator would find it on the measurement's τ grid: the predicted median at
    /// the two grid values around the exact τ*, interpolated as <see cref="ThresholdCrossing"/> interpolates measured medians.</summary>
    private static double AsMeasured(ThresholdEstimate e, double exact, double blowupLevel)
    {
        if (e.TauGrid is not { Count: >= 2 } grid || !(exact >= grid[0]) || !(exact < grid[^1])) return exact;
        int above = Enumerable.Range(0, grid.Count).First(i => grid[i] > exact);
        double below = grid[above - 1], up = grid[above];
        double[] medians = [ThresholdPrediction.MedianLogRatio(e.Depth, e.Width, below), ThresholdPrediction.MedianLogRatio(e.Depth, e.Width, up)];
        return ThresholdCrossing.LogTau([below, up], medians, 2 * Math.Log(blowupLevel), ThresholdCrossing.Log) is { } u ? Math.Exp(u) : exact;
    }
}

/// <summary>Σ z² over depths and its p-value under χ² with one degree of freedom per depth (the prediction has no free parameter).</summary>
public sealed record ThresholdAgreementTest(double ChiSquare, int Dof, double P)
{
    public static ThresholdAgreementTest? Of(IReadOnlyCollection<ThresholdAgreement> rows)
    {
        if (rows.Count == 0) return null;
        double chi = rows.Sum(a => a.Z * a.Z);
        return new ThresholdAgreementTest(chi, rows.Count, 1 - MathNet.Numerics.Distributions.ChiSquared.CDF(rows.Count, chi));
    }

    /// <summary>"χ² 5.0 on 9 depths, p = 0.83", as the claim's evidence and `fit`'s summary print it.</summary>
    public override string ToString() =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"χ² {ChiSquare:F1} on {Dof} depths, p = {P:G2}");
}

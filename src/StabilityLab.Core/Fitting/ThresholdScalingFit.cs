using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;

namespace StabilityLab.Fitting;

/// <summary>
/// The theory-free correction-to-scaling fit of τ*(L): ln τ* = ln a + α·ln L + b·L^(−1/2) + c·L^(−1), weighted by the
/// bootstrap SE of ln τ*; α with a 95% t-interval on n − 4 degrees of freedom, its SE inflated by √χ²_red where the scatter
/// exceeds the stated errors (as <see cref="WeightedLineFit"/>). Only depths ≥ <see cref="ThresholdScalingFit.MinDepth"/>
/// enter (<see cref="Points"/> of them).
/// </summary>
public sealed record ThresholdScaling(double A, double Alpha, double AlphaLo, double AlphaHi, double AlphaSe, double B, double BSe,
    double C, double CSe, double ReducedChiSquare, int Points);

/// <summary>
/// τ*(L) without the finite-width theory (docs/finite-width.md §7): τ*·√L approaches its limit in powers of L^(−1/2), so a
/// straight line through ln τ* against ln L is biased at the depths a sweep reaches, and so is a fit with only the leading
/// correction: on thresholds that follow τ*(L; m = 512, K = 10) exactly, with noise of the paper-scale SE (0.0015 in ln τ*,
/// L = 16..4096), the two-term fit here covers α = −1/2 in ≥ 95% of replications and the one-term fit rarely
/// (IntervalCoverageTests; docs/statistics.md "Coverage of every interval"). Linear in its four parameters, so the interval is exact for Gaussian
/// errors; no profile or search. Depths below <see cref="MinDepth"/> are left out: there the third order matters (with
/// L = 4 and 8 included, coverage 67%).
/// </summary>
public static class ThresholdScalingFit
{
    /// <summary>The smallest depth fitted.</summary>
    public const int MinDepth = 16;

    /// <summary>The model, as fits.json states it.</summary>
    public const string Model = "log tau_star = log a + alpha * log L + b * L^-1/2 + c * L^-1";

    /// <param name="depth">L of each point</param>
    /// <param name="tauStar">measured τ*(L)</param>
    /// <param name="logTauSe">standard error of ln τ*(L)</param>
    /// <returns>null with fewer than 5 depths ≥ <see cref="MinDepth"/> (no degree of freedom left)</returns>
    public static ThresholdScaling? Fit(IReadOnlyList<double> depth, IReadOnlyList<double> tauStar, IReadOnlyList<double> logTauSe) =>
        Fit(depth, tauStar, logTauSe, corrections: 2);

    /// <summary>The same fit with 0, 1 or 2 correction terms (the fewer-term fits are the controls of the coverage tests).</summary>
    internal static ThresholdScaling? Fit(IReadOnlyList<double> depth, IReadOnlyList<double> tauStar, IReadOnlyList<double> logTauSe, int corrections)
    {
        if (tauStar.Count != depth.Count || logTauSe.Count != depth.Count) throw new ArgumentException("depths, thresholds and errors differ in length");
        var used = Enumerable.Range(0, depth.Count).Where(i => depth[i] >= MinDepth).ToArray();
        int n = used.Length;
        int p = 2 + corrections;
        if (n < p + 1) return null;
        foreach (int i in used)
            if (!(logTauSe[i] > 0) || !double.IsFinite(logTauSe[i])) throw new ArgumentException($"standard error {logTauSe[i]} must be positive and finite");
        var x = Matrix<double>.Build.Dense(n, p, (r, k) => k switch
        {
            0 => 1,
            1 => Math.Log(depth[used[r]]),
            2 => Math.Pow(depth[used[r]], -0.5),
            _ => 1 / depth[used[r]],
        });
        var y = Vector<double>.Build.Dense(n, r => Math.Log(tauStar[used[r]]));
        var w = Vector<double>.Build.Dense(n, r => 1 / (logTauSe[used[r]] * logTauSe[used[r]]));
        var xtw = x.Transpose() * Matrix<double>.Build.DenseOfDiagonalVector(w);
        var cov = (xtw * x).Inverse();
        var beta = cov * (xtw * y);
        var resid = y - x * beta;
        double chi2 = resid.PointwiseMultiply(resid).DotProduct(w);
        int dof = n - p;
        double red = chi2 / dof, inflate = Math.Max(1, red);
        double se(int k) => Math.Sqrt(cov[k, k] * inflate);
        double t = StudentT.InvCDF(0, 1, dof, 0.975);
        double Coef(int k) => k < p ? beta[k] : 0;
        double Se(int k) => k < p ? se(k) : 0;
        return new ThresholdScaling(Math.Exp(beta[0]), beta[1], beta[1] - t * se(1), beta[1] + t * se(1), se(1), Coef(2), Se(2), Coef(3), Se(3), red, n);
    }
}

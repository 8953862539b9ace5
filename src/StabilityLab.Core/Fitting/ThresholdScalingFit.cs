using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics;

namespace StabilityLab.Fitting;

/// <summary>
/// τ*(L) = a·L^α·(1 + b·L^(−ω)) fitted to measured thresholds: α with a 95% interval (Student t, n − 3 degrees of
/// freedom; SE inflated by √χ²_red when the scatter exceeds the stated errors, as in <see cref="WeightedLineFit"/>).
/// </summary>
public sealed record ThresholdScaling(double A, double Alpha, double AlphaLo, double AlphaHi, double AlphaSe, double B, double BSe,
    double Omega, double ReducedChiSquare, int Points);

/// <summary>
/// The correction-to-scaling fit of the threshold (docs/finite-width.md §7): at finite L, τ*·√L approaches its limit like
/// L^(−1/2), so a straight line through log τ* vs log L is biased at the depths a sweep reaches; with the leading correction
/// in the model, α is free of that bias. ω is fixed (1/2, the predicted order). Least squares on log τ*, weighted by the
/// bootstrap SE of log τ*: the model is linear in (log a, α) for fixed b, so b is found by minimizing the profile χ²(b)
/// (a scan, then MathNet's golden-section minimizer, over b ∈ (−L_min^ω, 100·L_min^ω)), and the covariance is the inverse of JᵀWJ at the optimum.
/// </summary>
public static class ThresholdScalingFit
{
    /// <summary>The predicted exponent of the leading correction (docs/finite-width.md §7).</summary>
    public const double DefaultOmega = 0.5;

    /// <param name="depth">L of each point</param>
    /// <param name="tauStar">measured τ*(L)</param>
    /// <param name="logTauSe">standard error of log τ*(L)</param>
    /// <param name="omega">the correction exponent ω, fixed</param>
    /// <returns>null with fewer than 4 points (no degree of freedom left)</returns>
    public static ThresholdScaling? Fit(IReadOnlyList<double> depth, IReadOnlyList<double> tauStar, IReadOnlyList<double> logTauSe, double omega = DefaultOmega)
    {
        int n = depth.Count;
        if (tauStar.Count != n || logTauSe.Count != n) throw new ArgumentException("depths, thresholds and errors differ in length");
        if (n < 4) return null;
        var x = depth.Select(v => Math.Log(v)).ToArray();
        var y = tauStar.Select(v => Math.Log(v)).ToArray();
        var w = logTauSe.Select(s => s > 0 && double.IsFinite(s) ? 1 / (s * s) : throw new ArgumentException($"standard error {s} must be positive and finite")).ToArray();
        var u = depth.Select(L => Math.Pow(L, -omega)).ToArray();

        // Profile: for fixed b, weighted line of y − log(1 + b u) on x.
        (double LogA, double Alpha, double Chi2) Line(double b)
        {
            double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
            for (int i = 0; i < n; i++)
            {
                double yi = y[i] - Math.Log(1 + b * u[i]);
                sw += w[i]; sx += w[i] * x[i]; sy += w[i] * yi; sxx += w[i] * x[i] * x[i]; sxy += w[i] * x[i] * yi;
            }
            double det = sw * sxx - sx * sx;
            double alpha = (sw * sxy - sx * sy) / det, la = (sy - alpha * sx) / sw, chi2 = 0;
            for (int i = 0; i < n; i++)
            {
                double r = y[i] - la - alpha * x[i] - Math.Log(1 + b * u[i]);
                chi2 += w[i] * r * r;
            }
            return (la, alpha, chi2);
        }
        double bLo = -0.999 / u.Max(), bHi = 100 / u.Max();
        double bHat = Minimize(b => Line(b).Chi2, bLo, bHi, 400, 4);
        var (logA, alphaHat, chi2Hat) = Line(bHat);

        // Covariance of (log a, α, b) from the Jacobian of the model log a + α x + log(1 + b u).
        var j = Matrix<double>.Build.Dense(n, 3, (i, k) => k switch { 0 => 1, 1 => x[i], _ => u[i] / (1 + bHat * u[i]) });
        var wm = Matrix<double>.Build.DenseOfDiagonalArray(w);
        var cov = (j.TransposeThisAndMultiply(wm) * j).Inverse();
        int dof = n - 3;
        double red = chi2Hat / dof, inflate = Math.Max(1, red);
        double seAlpha = Math.Sqrt(cov[1, 1] * inflate), seB = Math.Sqrt(cov[2, 2] * inflate);
        double t = StudentT.InvCDF(0, 1, dof, 0.975);
        return new ThresholdScaling(Math.Exp(logA), alphaHat, alphaHat - t * seAlpha, alphaHat + t * seAlpha, seAlpha, bHat, seB, omega, red, n);
    }

    /// <summary>
    /// A scan of [lo, hi] first (χ²(b) need not be unimodal over so wide a range), then MathNet's golden section between the
    /// best scan point's neighbours. The golden section refuses a bracket whose first interior point is not below both ends,
    /// which happens when the minimum sits near an end of the bracket: then the bracket is scanned again, finer.
    /// </summary>
    private static double Minimize(Func<double, double> f, double lo, double hi, int scan, int refinements)
    {
        double step = (hi - lo) / scan;
        int best = Enumerable.Range(0, scan + 1).MinBy(k => f(lo + (hi - lo) * k / scan));
        double a = Math.Max(lo, lo + (best - 1) * step), b = Math.Min(hi, lo + (best + 1) * step);
        try { return FindMinimum.OfScalarFunctionConstrained(f, a, b, 1e-10, 1000); }
        catch (MathNet.Numerics.Optimization.OptimizationException) when (refinements > 0) { return Minimize(f, a, b, 40, refinements - 1); }
        catch (MathNet.Numerics.Optimization.OptimizationException) { return lo + (hi - lo) * best / scan; }
    }
}

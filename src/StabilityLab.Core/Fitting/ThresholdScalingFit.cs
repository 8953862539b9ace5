using MathNet.Numerics.Distributions;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics;

namespace StabilityLab.Fitting;

/// <summary>
/// τ*(L) = a·L^α·(1 + b·L^(−ω)) fitted to measured thresholds: α with a 95% profile interval (the α where the profile
/// χ² rises by t²_{n−3} above its minimum, times χ²_red when the scatter exceeds the stated errors, as in
/// <see cref="WeightedLineFit"/>). <see cref="AlphaSe"/> is the linearized (Wald) SE, for reference only: where the data
/// barely identify b it is far too small (docs/statistics.md "Coverage of every interval"). <see cref="AlphaIntervalOpen"/>
/// is true when the profile never rises enough within ±<see cref="ThresholdScalingFit.AlphaSearchRange"/> of α̂: the data
/// do not bound α on that side, and the interval ends at the search edge.
/// </summary>
public sealed record ThresholdScaling(double A, double Alpha, double AlphaLo, double AlphaHi, double AlphaSe, double B, double BSe,
    double Omega, double ReducedChiSquare, int Points, bool AlphaIntervalOpen = false);

/// <summary>
/// The correction-to-scaling fit of the threshold (docs/finite-width.md §7): at finite L, τ*·√L approaches its limit like
/// L^(−1/2), so a straight line through log τ* vs log L is biased at the depths a sweep reaches; with the leading correction
/// in the model, α is free of that bias. ω is fixed (1/2, the predicted order). Least squares on log τ*, weighted by the
/// bootstrap SE of log τ*: the model is linear in (log a, α) for fixed b, so b is found by minimizing the profile χ²(b)
/// (a scan, then MathNet's golden-section minimizer, over b ∈ (−L_min^ω, 100·L_min^ω)), and the covariance is the inverse of JᵀWJ at the optimum.
/// The interval of α is a profile interval, not the Wald one: for b ≫ 1, log(1 + b·L^(−ω)) ≈ log b − ω·log L trades off
/// against α, so χ² can be flat along a curved valley that the linearization at the optimum does not see (Wald coverage
/// measured 60% at nominal 95%). The profile χ²(α) minimizes over (log a, b) at each α and follows that valley.
/// </summary>
public static class ThresholdScalingFit
{
    /// <summary>The predicted exponent of the leading correction (docs/finite-width.md §7).</summary>
    public const double DefaultOmega = 0.5;

    /// <summary>How far from α̂ the profile interval is searched; beyond it the data are said not to bound α.</summary>
    public const double AlphaSearchRange = 2;

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
        double bHat = Minimize(b => Line(b).Chi2, bLo, bHi, 400, 4, out _);
        var (logA, alphaHat, chi2Hat) = Line(bHat);

        // Covariance of (log a, α, b) from the Jacobian of the model log a + α x + log(1 + b u).
        var j = Matrix<double>.Build.Dense(n, 3, (i, k) => k switch { 0 => 1, 1 => x[i], _ => u[i] / (1 + bHat * u[i]) });
        var wm = Matrix<double>.Build.DenseOfDiagonalArray(w);
        var cov = (j.TransposeThisAndMultiply(wm) * j).Inverse();
        int dof = n - 3;
        double red = chi2Hat / dof, inflate = Math.Max(1, red);
        double seAlpha = Math.Sqrt(cov[1, 1] * inflate), seB = Math.Sqrt(cov[2, 2] * inflate);
        double t = StudentT.InvCDF(0, 1, dof, 0.975);

        // Profile over α: for fixed (α, b) the best log a is a weighted mean; b by the same scan-and-refine as above.
        double ProfileAt(double alpha, double b)
        {
            double sw = 0, s = 0, chi2 = 0;
            for (int i = 0; i < n; i++) { sw += w[i]; s += w[i] * (y[i] - alpha * x[i] - Math.Log(1 + b * u[i])); }
            double la = s / sw;
            for (int i = 0; i < n; i++) { double r = y[i] - la - alpha * x[i] - Math.Log(1 + b * u[i]); chi2 += w[i] * r * r; }
            return chi2;
        }
        double Profile(double alpha)
        {
            Minimize(b => ProfileAt(alpha, b), bLo, bHi, 100, 4, out double best);
            return best;
        }
        double chi2Min = Math.Min(chi2Hat, Profile(alphaHat)), rise = t * t * inflate;
        double Excess(double alpha) => Profile(alpha) - chi2Min - rise;
        var (lo, hi, open) = ConfidenceHull(Excess, alphaHat, Math.Min(0.01, Math.Max(seAlpha, 1e-4) / 2));
        return new ThresholdScaling(Math.Exp(logA), alphaHat, lo, hi, seAlpha, bHat, seB, omega, red, n, open);
    }

    /// <summary>
    /// The hull of {α : excess(α) ≤ 0} within ±<see cref="AlphaSearchRange"/> of α̂. The set need not be one interval: χ²
    /// can have a second valley (a large b with a flatter α, and the true small b), so a walk out from α̂ that stops at the
    /// first crossing misses the far valley (coverage 73% measured). A grid finds every accepted point; Brent's root finder
    /// (MathNet) refines the two outermost crossings inside their grid steps. Open when the set reaches the search edge.
    /// </summary>
    private static (double Lo, double Hi, bool Open) ConfidenceHull(Func<double, double> excess, double alphaHat, double step)
    {
        int k = (int)Math.Ceiling(AlphaSearchRange / step);
        step = AlphaSearchRange / k;
        int first = int.MaxValue, last = int.MinValue;
        for (int i = -k; i <= k; i++)
            if (excess(alphaHat + i * step) <= 0) { first = Math.Min(first, i); last = Math.Max(last, i); }
        if (first > last) first = last = 0; // α̂ is accepted by construction; a grid point may still miss it by rounding
        double Refine(int inside, int side) =>
            MathNet.Numerics.RootFinding.Brent.FindRoot(excess, alphaHat + Math.Min(inside, inside + side) * step,
                alphaHat + Math.Max(inside, inside + side) * step, 1e-8, 200);
        double lo = first == -k ? alphaHat - AlphaSearchRange : TryRefine(() => Refine(first, -1), alphaHat + first * step);
        double hi = last == k ? alphaHat + AlphaSearchRange : TryRefine(() => Refine(last, +1), alphaHat + last * step);
        return (Math.Min(lo, alphaHat), Math.Max(hi, alphaHat), first == -k || last == k);
    }

    // Brent needs a sign change; where the grid point beside the crossing is itself at the threshold, keep the grid point.
    private static double TryRefine(Func<double> refine, double fallback)
    {
        try { return refine(); }
        catch (MathNet.Numerics.NonConvergenceException) { return fallback; }
        catch (ArgumentException) { return fallback; }
    }

    /// <summary>
    /// A scan of [lo, hi] first (χ²(b) need not be unimodal over so wide a range), then MathNet's golden section between the
    /// best scan point's neighbours. The golden section refuses a bracket whose first interior point is not below both ends,
    /// which happens when the minimum sits near an end of the bracket: then the bracket is scanned again, finer.
    /// </summary>
    private static double Minimize(Func<double, double> objective, double lo, double hi, int scan, int refinements, out double fMin)
    {
        // MathNet's golden section may probe outside the bracket when it tries to expand it, where log(1 + b·u) is
        // undefined: such points (and any non-finite χ²) count as infinitely bad, which it accepts as a finite maximum.
        double f(double v)
        {
            if (v < lo || v > hi) return double.MaxValue;
            double r = objective(v);
            return double.IsFinite(r) ? r : double.MaxValue;
        }
        double step = (hi - lo) / scan;
        int best = Enumerable.Range(0, scan + 1).MinBy(k => f(lo + (hi - lo) * k / scan));
        double a = Math.Max(lo, lo + (best - 1) * step), b = Math.Min(hi, lo + (best + 1) * step);
        double arg;
        try { arg = FindMinimum.OfScalarFunctionConstrained(f, a, b, 1e-10, 1000); }
        catch (MathNet.Numerics.Optimization.OptimizationException) when (refinements > 0) { arg = Minimize(f, a, b, 40, refinements - 1, out _); }
        catch (MathNet.Numerics.Optimization.OptimizationException) { arg = lo + (hi - lo) * best / scan; }
        // The refinement can only improve on the scan; keep the scan point if it did not.
        double scanArg = lo + (hi - lo) * best / scan, fScan = f(scanArg);
        fMin = f(arg);
        if (fScan < fMin) (arg, fMin) = (scanArg, fScan);
        return arg;
    }
}

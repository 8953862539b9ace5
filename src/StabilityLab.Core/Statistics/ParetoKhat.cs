using MathNet.Numerics;

namespace StabilityLab.Statistics;

/// <summary>
/// The Pareto k̂ diagnostic of the upper tail of the ratios r_i = exp(x_i), given the log ratios x_i
/// (Vehtari, Simpson, Gelman, Yao &amp; Gabry 2024, "Pareto smoothed importance sampling", JMLR 25(72)).
/// A generalized Pareto distribution is fitted to the M largest ratios over the (M+1)-th largest,
/// M = ⌈min(0.2 n, 3√n)⌉, by the profile-posterior estimate of Zhang &amp; Stephens (2009) §4,
/// then shrunk toward 0.5 by the weakly informative prior: k̂ ← (M k + 10·0.5)/(M + 10).
/// This is the algorithm of R's loo package (psis with r_eff = 1: gpdfit with wip = TRUE and
/// 30 + ⌊√M⌋ grid points), checked against loo 2.5.1 to 1e-6 in the tests. The log ratios are
/// shifted by their maximum before exponentiating, as loo does, so any scale is safe.
/// With k̂ below <see cref="Threshold"/>, the sample mean of the ratios has a usable finite-sample
/// convergence rate; above 1/2 its variance is infinite in the limit, above 1 its mean.
/// </summary>
public static class ParetoKhat
{
    /// <summary>Fewest tail draws loo fits a GPD to (its enough_tail_samples); fewer gives k̂ = +∞.</summary>
    public const int MinTail = 5;

    /// <summary>Tail length M = ⌈min(0.2 n, 3√n)⌉ (the paper §3 and loo's n_pareto at r_eff = 1).</summary>
    public static int TailLength(int n) => (int)Math.Ceiling(Math.Min(0.2 * n, 3 * Math.Sqrt(n)));

    /// <summary>
    /// The sample-size dependent threshold min(1 − 1/log10(n), 0.7) of the paper (§3.2.2): below it the
    /// Pareto smoothed (and, for k̂ &lt; 1/2, the plain) mean has a practically useful error for this n.
    /// </summary>
    public static double Threshold(int n) => Math.Min(1 - 1 / Math.Log10(n), 0.7);

    /// <summary>
    /// k̂ of exp(x); +∞ when the tail is shorter than <see cref="MinTail"/>, its values are all equal,
    /// or the fit fails (as loo reports). Non-finite log ratios are the caller's to remove.
    /// </summary>
    public static double Estimate(ReadOnlySpan<double> logRatios)
    {
        int n = logRatios.Length;
        int m = TailLength(n);
        if (m < MinTail || m >= n) return double.PositiveInfinity;
        var sorted = logRatios.ToArray();
        Array.Sort(sorted);
        double max = sorted[n - 1];
        int first = n - m;
        double tailMin = sorted[first], cutoff = sorted[first - 1];
        // loo's guard against a constant tail: |max − min| < ε/100, ε = 2⁻⁵² (R's .Machine$double.eps).
        if (Math.Abs(max - tailMin) < Precision.PositiveDoublePrecision / 100) return double.PositiveInfinity;
        double expCutoff = Math.Exp(cutoff - max);
        var excess = new double[m];
        for (int i = 0; i < m; i++) excess[i] = Math.Exp(sorted[first + i] - max) - expCutoff;
        return FitShape(excess);
    }

    /// <summary>
    /// The GPD shape k of sorted non-negative excesses by Zhang &amp; Stephens (2009) §4 with the
    /// weakly informative prior of Vehtari et al. (2024) eq. (8): the posterior mean of θ = −k/σ over
    /// the grid θ_j = 1/x_(N) + (1 − √(J/(j − ½)))/(3 x*), j = 1..J, J = 30 + ⌊√N⌋, x* the first quartile
    /// x_(⌊N/4 + ½⌋), weighted by the profile likelihood N(log(−θ/k(θ)) − k(θ) − 1), k(θ) = mean log(1 − θx);
    /// then k = mean log(1 − θ̂ x) and the prior adjustment (N k + 10·0.5)/(N + 10).
    /// </summary>
    public static double FitShape(ReadOnlySpan<double> sortedExcess)
    {
        int n = sortedExcess.Length;
        const double prior = 3;
        int grid = 30 + (int)Math.Floor(Math.Sqrt(n));
        double xStar = sortedExcess[(int)Math.Floor(n / 4.0 + 0.5) - 1];
        double xMax = sortedExcess[n - 1];
        var theta = new double[grid];
        var logLik = new double[grid];
        for (int j = 0; j < grid; j++)
        {
            theta[j] = 1 / xMax + (1 - Math.Sqrt(grid / (j + 0.5))) / prior / xStar;
            double k = MeanLog1p(-theta[j], sortedExcess);
            logLik[j] = n * (Math.Log(-theta[j] / k) - k - 1);
        }
        double top = double.NegativeInfinity;
        foreach (var l in logLik) top = Math.Max(top, l);
        double wSum = 0, thetaHat = 0;
        for (int j = 0; j < grid; j++)
        {
            double w = Math.Exp(logLik[j] - top);
            wSum += w;
            thetaHat += theta[j] * w;
        }
        thetaHat /= wSum;
        double shape = MeanLog1p(-thetaHat, sortedExcess);
        shape = shape * n / (n + 10.0) + 10 * 0.5 / (n + 10.0);
        return double.IsNaN(shape) ? double.PositiveInfinity : shape;
    }

    private static double MeanLog1p(double a, ReadOnlySpan<double> x)
    {
        double s = 0;
        foreach (var v in x) s += SpecialFunctions.Log1p(a * v);
        return s / x.Length;
    }
}

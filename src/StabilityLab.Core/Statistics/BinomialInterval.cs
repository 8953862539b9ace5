using MathNet.Numerics.Distributions;

namespace StabilityLab.Statistics;

/// <summary>Exact intervals for a binomial proportion.</summary>
public static class BinomialInterval
{
    /// <summary>
    /// Clopper–Pearson two-sided interval for k successes in n trials at level 1 − alpha:
    /// [B⁻¹(α/2; k, n−k+1), B⁻¹(1−α/2; k+1, n−k)], with 0 and 1 at the ends (Clopper &amp; Pearson 1934).
    /// </summary>
    public static (double Lo, double Hi) ClopperPearson(int k, int n, double alpha = 0.05)
    {
        if (n <= 0 || k < 0 || k > n) throw new ArgumentException($"bad binomial counts k={k}, n={n}");
        double lo = k == 0 ? 0 : Beta.InvCDF(k, n - k + 1, alpha / 2);
        double hi = k == n ? 1 : Beta.InvCDF(k + 1, n - k, 1 - alpha / 2);
        return (lo, hi);
    }
}

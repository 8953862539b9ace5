using MathNet.Numerics.RootFinding;

namespace StabilityLab.Theory;

/// <summary>
/// The sharp threshold of the post ReLU block under the median criterion (docs/finite-width.md §7): τ*(L; m, K) is
/// the constant τ at which the median of ‖h_L‖²/‖h_0‖² equals K², i.e. Σ_l log r_l(τ) − Σ_l ν_l(τ)/(2m) = 2 log K
/// (the log ratio is Gaussian to first order, so its median is its mean).
/// </summary>
public static class ThresholdPrediction
{
    /// <summary>τ*(L; m, K) by Brent's method on the finite-width median (relative accuracy 1e-7).</summary>
    public static double TauStar(int depth, int width, double k)
    {
        Check(depth, width, k);
        double target = 2 * Math.Log(k);
        double F(double tau)
        {
            var layers = FiniteWidthLayers.Evolve(Enumerable.Repeat(tau, depth).ToArray());
            return layers.LogR.Sum() - layers.Noise.Sum() / (2 * width) - target;
        }
        // Bracket around the large-depth limit and widen geometrically: τ*·√L decreases to it from above (§7), and an
        // endpoint far above τ* costs many kernel taps per grid point (the grid spacing is capped), so the old fixed
        // bracket [0.05, 20]·√(log K)/√L made the first evaluation the most expensive one (5.4 s of 5.4 s at L = 1024).
        double sq = Math.Sqrt(depth), a = LargeDepthLimit(width, k) / sq;
        double lo = 0.95 * a, hi = 1.5 * a;
        while (F(lo) > 0) lo /= 1.5;
        while (F(hi) < 0) { lo = hi; hi *= 1.5; }
        return Brent.FindRoot(F, lo, hi, 1e-7 * a, 200);
    }

    /// <summary>
    /// lim_{L→∞} τ*(L)·√L = √(log K/(1 − 2/m)): with τ = α/√L, Σ_l log r_l → 2α² and Σ_l ν_l → 8α² (ν_l = 8τ_l² + O(τ_l³),
    /// and the zero coordinates' deficit in r_l sums to O(α²/√L)), so the median is 2α²(1 − 2/m) + O(1/√L).
    /// </summary>
    public static double LargeDepthLimit(int width, double k)
    {
        Check(1, width, k);
        return Math.Sqrt(Math.Log(k) / (1 - 2.0 / width));
    }

    private static void Check(int depth, int width, double k)
    {
        if (depth < 1) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be at least 1");
        if (width < 3) throw new ArgumentOutOfRangeException(nameof(width), width, "width must be at least 3");
        if (!(k > 1) || !double.IsFinite(k)) throw new ArgumentOutOfRangeException(nameof(k), k, "K must be a finite number above 1");
    }
}
